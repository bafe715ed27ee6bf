#include "ui/dialogs/studio_messages.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QMessageBox>
#include <QPushButton>

#include "ui/dialogs/architecture_dialog.h"
#include "ui/dialogs/model_info_dialog.h"
#include "ui/model_controller.h"

namespace p2p::ui {

namespace {

QString tr(const char* text) {
    return QCoreApplication::translate("p2p::ui::MainWindow", text);
}

}  // namespace

std::optional<CanvasKind> askModeForModel(QWidget* parent, const QString& modelPath, CanvasKind current) {
    QMessageBox box(QMessageBox::Question, tr("Which Mode?"),
                    tr("%1 does not say what it translates. Is it a model for facade labels or for edge "
                       "sketches?")
                        .arg(QFileInfo(modelPath).fileName()),
                    QMessageBox::Cancel, parent);
    box.setInformativeText(tr("The studio remembers the answer for this file."));
    QPushButton* labels = box.addButton(displayName(CanvasKind::FacadeLabels), QMessageBox::AcceptRole);
    QPushButton* edges = box.addButton(displayName(CanvasKind::Edges), QMessageBox::AcceptRole);
    box.setDefaultButton(current == CanvasKind::Edges ? edges : labels);
    box.exec();
    if (box.clickedButton() == labels) return CanvasKind::FacadeLabels;
    if (box.clickedButton() == edges) return CanvasKind::Edges;
    return std::nullopt;
}

void showModelInformation(QWidget* parent, const std::optional<ModelInformation>& info) {
    if (!info) {
        QMessageBox::information(parent, tr("Model"), ModelController::noModelText(CanvasKind::FacadeLabels));
        return;
    }
    ModelInfoDialog dialog(*info, parent);
    dialog.exec();
}

void showAbout(QWidget* parent) {
    QMessageBox::about(
        parent, tr("About Pix2Pix Studio"),
        tr("<h3>Pix2Pix Studio %1</h3>"
           "<p>Paint facade labels or edge sketches and watch a pix2pix generator translate them live.</p>"
           "<p>pix2pix: Isola, Zhu, Zhou, Efros, <i>Image-to-Image Translation with Conditional Adversarial "
           "Networks</i>, CVPR 2017. CMP Facade Database: Tyleček and Šára, GCPR 2013.</p>")
            .arg(QCoreApplication::applicationVersion()));
}

std::optional<ModelLoadOptions> askArchitecture(QWidget* parent, const QString& path, const QString& reason) {
    ArchitectureDialog dialog(path, reason, parent);
    if (dialog.exec() != QDialog::Accepted) return std::nullopt;
    ModelLoadOptions options;
    options.generator_override = dialog.options();
    options.generator_override->validate();
    return options;
}

}  // namespace p2p::ui
