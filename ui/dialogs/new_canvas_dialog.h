#pragma once

// File ▸ New: the canvas kind and its size (256x256 unless asked otherwise; any size the engine can pad).

#include <QDialog>
#include <QSize>

#include "ui/canvas/label_document.h"

class QComboBox;
class QSpinBox;

namespace p2p::ui {

class NewCanvasDialog : public QDialog {
    Q_OBJECT
public:
    explicit NewCanvasDialog(CanvasKind kind, QSize size, QWidget* parent = nullptr);

    CanvasKind kind() const;
    QSize canvasSize() const;

    static constexpr int kMaxSide = 8192;

private:
    QComboBox* kind_;
    QComboBox* preset_;
    QSpinBox* width_;
    QSpinBox* height_;
};

}  // namespace p2p::ui
