#include "ui/training/train_options_binder.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QLineEdit>
#include <QSpinBox>

namespace p2p::ui {

TrainOptionsBinder::TrainOptionsBinder(QObject* parent) : QObject(parent) {}

void TrainOptionsBinder::bind(const char* name, QSpinBox* spin, int p2p::TrainOptions::*field) {
    bind(
        name, spin, [spin, field](const p2p::TrainOptions& o) { spin->setValue(o.*field); },
        [spin, field](p2p::TrainOptions& o) { o.*field = spin->value(); });
}

void TrainOptionsBinder::bind(const char* name, QDoubleSpinBox* spin, double p2p::TrainOptions::*field) {
    bind(
        name, spin, [spin, field](const p2p::TrainOptions& o) { spin->setValue(o.*field); },
        [spin, field](p2p::TrainOptions& o) { o.*field = spin->value(); });
}

void TrainOptionsBinder::bind(const char* name, QCheckBox* box, bool p2p::TrainOptions::*field,
                              bool inverted) {
    bind(
        name, box,
        [box, field, inverted](const p2p::TrainOptions& o) { box->setChecked((o.*field) != inverted); },
        [box, field, inverted](p2p::TrainOptions& o) { o.*field = box->isChecked() != inverted; });
}

void TrainOptionsBinder::bind(const char* name, QComboBox* box, std::string p2p::TrainOptions::*field) {
    bindItems(
        name, box, [field](const p2p::TrainOptions& o) { return o.*field; },
        [field](p2p::TrainOptions& o, const std::string& item) { o.*field = item; });
}

void TrainOptionsBinder::bindItems(const char* name, QComboBox* box,
                                   std::function<std::string(const p2p::TrainOptions&)> show,
                                   std::function<void(p2p::TrainOptions&, const std::string&)> read) {
    bind(
        name, box,
        [box, show](const p2p::TrainOptions& o) {
            // A value the box does not list leaves it as it is (as the panel always did).
            const int i = box->findData(QString::fromStdString(show(o)));
            if (i >= 0) box->setCurrentIndex(i);
        },
        [box, read](p2p::TrainOptions& o) { read(o, box->currentData().toString().toStdString()); });
}

void TrainOptionsBinder::bind(const char* name, QLineEdit* edit, std::string p2p::TrainOptions::*field) {
    bind(
        name, edit,
        [edit, field](const p2p::TrainOptions& o) {
            edit->setText(QDir::toNativeSeparators(QString::fromStdString(o.*field)));
        },
        [edit, field](p2p::TrainOptions& o) {
            o.*field = QDir::fromNativeSeparators(edit->text().trimmed()).toStdString();
        });
}

void TrainOptionsBinder::bind(const char* name, QWidget* control,
                              std::function<void(const p2p::TrainOptions&)> show,
                              std::function<void(p2p::TrainOptions&)> read) {
    control->setObjectName(QString::fromLatin1(name));
    bindings_.push_back({control, std::move(show), std::move(read)});
    watch(control);
}

void TrainOptionsBinder::watch(QWidget* control) {
    auto edited = [this] {
        if (!showing_) Q_EMIT this->edited();
    };
    if (auto* spin = qobject_cast<QSpinBox*>(control))
        connect(spin, &QSpinBox::valueChanged, this, edited);
    else if (auto* spin = qobject_cast<QDoubleSpinBox*>(control))
        connect(spin, &QDoubleSpinBox::valueChanged, this, edited);
    else if (auto* box = qobject_cast<QCheckBox*>(control))
        connect(box, &QCheckBox::toggled, this, edited);
    else if (auto* box = qobject_cast<QComboBox*>(control))
        connect(box, &QComboBox::currentIndexChanged, this, edited);
    else if (auto* edit = qobject_cast<QLineEdit*>(control))
        connect(edit, &QLineEdit::textChanged, this, edited);
}

void TrainOptionsBinder::show(const p2p::TrainOptions& options) {
    // A flag, not QSignalBlocker: the controls' own connections (n_layers_D enabled with netD) must still
    // run.
    const bool wasShowing = showing_;
    showing_ = true;
    for (const Binding& b : bindings_) b.show(options);
    showing_ = wasShowing;
}

p2p::TrainOptions TrainOptionsBinder::read(p2p::TrainOptions base) const {
    for (const Binding& b : bindings_) b.read(base);
    return base;
}

QList<QWidget*> TrainOptionsBinder::controls() const {
    QList<QWidget*> list;
    for (const Binding& b : bindings_) list << b.control;
    return list;
}

}  // namespace p2p::ui
