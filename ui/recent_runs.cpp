#include "ui/recent_runs.h"

#include <QDir>
#include <QFileInfo>
#include <QLocale>
#include <QStandardPaths>

#include <algorithm>
#include <exception>

#include "core/train/run_folder.h"

namespace p2p::ui {

QString defaultRunsDirectory() {
    // The same place as TrainingPanel::defaultRunFolder().
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation))
        .filePath(QStringLiteral("runs"));
}

QVector<RecentRun> findRecentRuns(const QString& runsDirectory, int limit) {
    QVector<RecentRun> runs;
    const QFileInfoList folders =
        QDir(runsDirectory).entryInfoList(QDir::Dirs | QDir::NoDotAndDotDot | QDir::Readable);
    for (const QFileInfo& folder : folders) {
        const RunFolder run(folder.absoluteFilePath().toStdString());
        RecentRun entry;
        try {
            entry.model = QString::fromStdString(run.newestModel());
        } catch (const std::exception&) {
            continue;  // unreadable: not a run the menu can load
        }
        if (entry.model.isEmpty()) continue;
        const QFileInfo model(entry.model);
        if (!model.isFile()) continue;
        entry.name = QString::fromStdString(run.name());
        entry.folder = folder.absoluteFilePath();
        entry.date = model.lastModified();
        try {
            const TrainOptions o = run.readOptions();
            entry.summary = QStringLiteral("%1 · %2 · %3, %4 epochs")
                                .arg(QFileInfo(QString::fromStdString(o.dataroot)).fileName(),
                                     QString::fromStdString(o.direction), QString::fromStdString(o.netG))
                                .arg(o.totalEpochs());
        } catch (const std::exception&) {
            // A run without readable options still has its model.
        }
        runs.push_back(entry);
    }
    std::stable_sort(runs.begin(), runs.end(), [](const RecentRun& a, const RecentRun& b) {
        return a.date != b.date ? a.date > b.date : a.name < b.name;
    });
    if (limit >= 0 && runs.size() > limit) runs.resize(limit);
    return runs;
}

QString recentRunText(const RecentRun& run) {
    return QStringLiteral("%1 — %2").arg(run.name, QLocale().toString(run.date, QLocale::ShortFormat));
}

}  // namespace p2p::ui
