#include "ui/training/training_text.h"

#include <QLocale>
#include <QObject>

#include <cmath>

namespace p2p::ui {

QString formatDuration(double seconds) {
    if (!std::isfinite(seconds) || seconds < 0) return QStringLiteral("–");
    const qint64 s = qint64(std::llround(seconds));
    return QString("%1:%2:%3")
        .arg(s / 3600)
        .arg((s / 60) % 60, 2, 10, QChar('0'))
        .arg(s % 60, 2, 10, QChar('0'));
}

QString withSeparators(qint64 n) {
    QLocale c = QLocale::c();
    c.setNumberOptions(QLocale::DefaultNumberOptions);  // the C locale omits group separators by default
    return c.toString(n).replace(',', QChar(0x2009));
}

QString trainingStateName(p2p::TrainingState state) {
    switch (state) {
        case p2p::TrainingState::Running:
            return QObject::tr("running");
        case p2p::TrainingState::Paused:
            return QObject::tr("paused");
        case p2p::TrainingState::Stopped:
            return QObject::tr("stopped");
        case p2p::TrainingState::Finished:
            return QObject::tr("finished");
        case p2p::TrainingState::Failed:
            return QObject::tr("failed");
    }
    return {};
}

}  // namespace p2p::ui
