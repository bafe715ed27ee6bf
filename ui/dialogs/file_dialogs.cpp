#include "ui/dialogs/file_dialogs.h"

#include <QFileDialog>
#include <QFileInfo>
#include <QMessageBox>
#include <QWidget>

#include "ui/dialogs/edges_dialog.h"
#include "ui/dialogs/new_canvas_dialog.h"
#include "ui/document_controller.h"
#include "ui/model_controller.h"

namespace p2p::ui {

FileDialogs::FileDialogs(QWidget* parent, DocumentController* documents, ModelController* models,
                         bool interactive)
    : QObject(parent), parent_(parent), documents_(documents), models_(models), interactive_(interactive) {}

void FileDialogs::newCanvas() {
    NewCanvasDialog dialog(documents_->mode(), documents_->document()->size(), parent_);
    if (dialog.exec() != QDialog::Accepted) return;
    if (confirmDiscard(documents_->document(dialog.kind())))
        documents_->newCanvas(dialog.kind(), dialog.canvasSize());
}

void FileDialogs::open() {
    if (!confirmDiscard(documents_->document())) return;
    const CanvasKind mode = documents_->mode();
    const QString filter = mode == CanvasKind::FacadeLabels
                               ? tr("Label maps (*.png *.jpg *.jpeg *.bmp);;All files (*)")
                               : tr("Sketches (*.png *.jpg *.jpeg *.bmp);;All files (*)");
    const QString path = QFileDialog::getOpenFileName(parent_, tr("Open %1").arg(displayName(mode)),
                                                      documents_->dialogDirectory(), filter);
    if (!path.isEmpty()) documents_->openFile(path);
}

void FileDialogs::openPath(const QString& path) {
    if (confirmDiscard(documents_->document())) documents_->openFile(path);
}

void FileDialogs::openPhotoAsEdges() {
    if (!confirmDiscard(documents_->document(CanvasKind::Edges))) return;
    const QString path =
        QFileDialog::getOpenFileName(parent_, tr("Open Photo as Edges"), documents_->dialogDirectory(),
                                     tr("Photos (*.png *.jpg *.jpeg *.bmp *.webp *.tif *.tiff)"));
    if (path.isEmpty()) return;
    const std::optional<cv::Mat> photo = documents_->readPhoto(path);
    if (!photo) return;
    EdgesDialog dialog(*photo, QFileInfo(path).fileName(), parent_);
    if (dialog.exec() == QDialog::Accepted) documents_->showEdges(dialog.edges(), path);
}

bool FileDialogs::save() {
    return documents_->canSaveInPlace() ? documents_->saveCanvas(documents_->document()->filePath())
                                        : saveAs();
}

bool FileDialogs::saveAs() {
    const QString path = QFileDialog::getSaveFileName(
        parent_, tr("Save Canvas"), documents_->saveAsSuggestion(), tr("PNG image (*.png)"));
    return !path.isEmpty() && documents_->saveCanvas(DocumentController::withPngSuffix(path));
}

void FileDialogs::exportImage(const QImage& result, bool sideBySide) {
    const QString path = QFileDialog::getSaveFileName(
        parent_, sideBySide ? tr("Export Side by Side") : tr("Export Result"),
        documents_->exportSuggestion(sideBySide ? tr("side_by_side") : tr("result")),
        tr("PNG image (*.png);;JPEG image (*.jpg)"));
    if (path.isEmpty()) return;
    if (sideBySide)
        documents_->exportSideBySide(result, path);
    else
        documents_->exportResult(result, path);
}

void FileDialogs::loadModel() {
    const QString dir = models_->hasModel() ? QFileInfo(models_->loadedModelPath()).absolutePath()
                                            : documents_->dialogDirectory();
    const QString path =
        QFileDialog::getOpenFileName(parent_, tr("Load Model"), dir,
                                     tr("Models (*.p2pm *.pth *.ckpt);;Pix2Pix Studio models "
                                        "(*.p2pm);;Reference PyTorch generators (*.pth);;"
                                        "Training checkpoints (*.ckpt)"));
    if (!path.isEmpty()) models_->loadModel(path);
}

bool FileDialogs::confirmDiscard(LabelDocument* document) {
    if (!document->isModified() || !interactive_) return true;
    const auto answer = QMessageBox::question(
        parent_, tr("Unsaved Changes"),
        tr("The %1 canvas has changes that are not saved. Save them first?")
            .arg(displayName(document->kind()).toLower()),
        QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
    if (answer == QMessageBox::Cancel) return false;
    if (answer == QMessageBox::Save) {
        documents_->setMode(document->kind());  // Save saves the showing canvas
        return save();
    }
    return true;
}

}  // namespace p2p::ui
