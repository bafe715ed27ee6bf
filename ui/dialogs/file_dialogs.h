#pragma once

// The studio's file questions, as Drawpile's FileWrangler asks them: which file to open, save or export,
// which model to load, and whether to save changes first. Each asks, then hands the answer to
// DocumentController or ModelController, which do the work and report.

#include <QImage>
#include <QObject>

class QWidget;

namespace p2p::ui {

class DocumentController;
class LabelDocument;
class ModelController;

class FileDialogs : public QObject {
    Q_OBJECT
public:
    // `interactive` false (tests): no question about unsaved changes; they are discarded.
    FileDialogs(QWidget* parent, DocumentController* documents, ModelController* models, bool interactive);

    void newCanvas();
    void open();
    void openPath(const QString& path);  // a recent file or a dropped one: asks about unsaved changes first
    void openPhotoAsEdges();
    bool save();  // Save As… when the canvas has no PNG file yet
    bool saveAs();
    void exportImage(const QImage& result, bool sideBySide);
    void loadModel();
    // Asks whether to save `document`'s changes: true when they are saved or may be discarded.
    bool confirmDiscard(LabelDocument* document);

private:
    QWidget* parent_;
    DocumentController* documents_;
    ModelController* models_;
    bool interactive_;
};

}  // namespace p2p::ui
