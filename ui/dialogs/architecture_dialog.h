#pragma once

// Asked when a reference .pth does not say its generator's architecture: netG, ngf and norm (and dropout,
// which leaves no trace in a state dict). The answer goes to ModelLoadOptions::generator_override.

#include <QDialog>

#include "core/nn/network_options.h"

class QCheckBox;
class QComboBox;
class QSpinBox;

namespace p2p::ui {

class ArchitectureDialog : public QDialog {
    Q_OBJECT
public:
    ArchitectureDialog(const QString& path, const QString& reason, QWidget* parent = nullptr);
    GeneratorOptions options() const;

private:
    QComboBox* netG_;
    QSpinBox* ngf_;
    QComboBox* norm_;
    QCheckBox* dropout_;
};

}  // namespace p2p::ui
