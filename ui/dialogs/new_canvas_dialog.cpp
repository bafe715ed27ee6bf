#include "ui/dialogs/new_canvas_dialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QSpinBox>

namespace p2p::ui {

NewCanvasDialog::NewCanvasDialog(CanvasKind kind, QSize size, QWidget* parent) : QDialog(parent) {
    setWindowTitle(tr("New Canvas"));
    kind_ = new QComboBox(this);
    kind_->addItem(displayName(CanvasKind::FacadeLabels), int(CanvasKind::FacadeLabels));
    kind_->addItem(displayName(CanvasKind::Edges), int(CanvasKind::Edges));
    kind_->setCurrentIndex(kind == CanvasKind::Edges ? 1 : 0);

    preset_ = new QComboBox(this);
    // The sizes the live preview is made for (the engine pads and, past 1024, tiles); any other is Custom.
    const QList<std::pair<QSize, QString>> presets = {{{256, 256}, tr("as the models were trained")},
                                                      {{512, 512}, tr("more detail")},
                                                      {{1024, 512}, tr("a wide street front")}};
    for (const auto& [p, note] : presets)
        preset_->addItem(QStringLiteral("%1 × %2 — %3").arg(p.width()).arg(p.height()).arg(note), p);
    preset_->addItem(tr("Custom"), QSize());

    width_ = new QSpinBox(this);
    height_ = new QSpinBox(this);
    for (QSpinBox* s : {width_, height_}) {
        s->setRange(16, kMaxSide);
        s->setSuffix(tr(" px"));
        s->setAccelerated(true);
    }
    width_->setValue(size.width());
    height_->setValue(size.height());

    auto syncPreset = [this] {
        const int i = preset_->findData(QSize(width_->value(), height_->value()));
        const QSignalBlocker block(preset_);
        preset_->setCurrentIndex(i >= 0 ? i : preset_->count() - 1);
    };
    connect(preset_, &QComboBox::currentIndexChanged, this, [this](int i) {
        const QSize s = preset_->itemData(i).toSize();
        if (!s.isValid()) return;
        width_->setValue(s.width());
        height_->setValue(s.height());
    });
    connect(width_, &QSpinBox::valueChanged, this, syncPreset);
    connect(height_, &QSpinBox::valueChanged, this, syncPreset);
    syncPreset();

    auto* sizeRow = new QHBoxLayout;
    sizeRow->addWidget(width_);
    sizeRow->addWidget(new QLabel(QStringLiteral("×"), this));
    sizeRow->addWidget(height_);

    auto* hint =
        new QLabel(tr("The models were trained on 256 × 256. Other sizes are padded or tiled."), this);
    hint->setWordWrap(true);
    hint->setEnabled(false);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto* form = new QFormLayout(this);
    form->addRow(tr("&Kind:"), kind_);
    form->addRow(tr("&Preset:"), preset_);
    auto* sizeLabel = new QLabel(tr("&Size:"), this);
    sizeLabel->setBuddy(width_);
    form->addRow(sizeLabel, sizeRow);
    form->addRow(hint);
    form->addRow(buttons);
}

CanvasKind NewCanvasDialog::kind() const {
    return CanvasKind(kind_->currentData().toInt());
}
QSize NewCanvasDialog::canvasSize() const {
    return {width_->value(), height_->value()};
}

}  // namespace p2p::ui
