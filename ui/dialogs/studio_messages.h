#pragma once

// The studio's questions and messages that are not about files: which mode a model is for, a reference .pth's
// architecture, Model Information, About.

#include <QString>

#include <optional>

#include "core/infer/inference_engine.h"
#include "ui/canvas/label_document.h"

class QWidget;

namespace p2p::ui {

struct ModelInformation;

// For a model whose file does not say what it translates; nullopt when the user cancels.
std::optional<CanvasKind> askModeForModel(QWidget* parent, const QString& modelPath, CanvasKind current);
// Model ▸ Model Information; nullopt: no model is loaded.
void showModelInformation(QWidget* parent, const std::optional<ModelInformation>& information);
void showAbout(QWidget* parent);
// The architecture of a reference .pth that cannot be inferred (netG, ngf, norm); nullopt when cancelled.
// Throws p2p::Error when the chosen options are not valid.
std::optional<ModelLoadOptions> askArchitecture(QWidget* parent, const QString& path, const QString& reason);

}  // namespace p2p::ui
