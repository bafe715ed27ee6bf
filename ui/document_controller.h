#pragma once

// The studio's two canvases (facade labels and an edge sketch), which one is showing, and everything that
// reads or writes them: open (is the image a label map, and in which palette is it drawn?), open a photo as
// edges, save, export the result, new and clear, the recent files, and what the class list offers in each
// mode. No widgets: the window asks the questions (file dialogs, unsaved changes) and shows what this
// reports.

#include <QImage>
#include <QObject>
#include <QPoint>
#include <QSize>
#include <QString>
#include <QStringList>
#include <QVector>

#include <array>
#include <optional>

#include <opencv2/core.hpp>

#include "core/edges/edges.h"
#include "ui/canvas/label_document.h"
#include "ui/palette_widget.h"

class QSettings;

namespace p2p::ui {

// What the eyedropper picked: a row of the class list (-1: none) and what to tell the user ("" for nothing).
struct PalettePick {
    int index = -1;
    QString message;
};

class DocumentController : public QObject {
    Q_OBJECT
public:
    // `settings` (not owned) keeps the mode, the recent files and the last folder.
    explicit DocumentController(QSettings* settings, QObject* parent = nullptr);

    CanvasKind mode() const { return mode_; }
    LabelDocument* document() const { return document(mode_); }
    LabelDocument* document(CanvasKind kind) const { return documents_[slot(kind)]; }
    const std::array<LabelDocument*, 2>& documents() const { return documents_; }
    void setMode(CanvasKind kind);  // emits modeChanged when the mode changes
    void saveSettings();            // the mode (the recent files are saved as they change)

    // Each returns false (and emits failed) when it fails; the canvas is then unchanged.
    bool openFile(const QString& path);
    bool openPhotoAsEdges(const QString& path, const EdgeOptions& options, int longestSide);
    std::optional<cv::Mat> readPhoto(const QString& path);  // for the edges dialog; nullopt after failed
    void showEdges(const cv::Mat& edges, const QString& photoPath);  // the edges dialog's sketch
    bool saveCanvas(const QString& path);
    bool exportResult(const QImage& result, const QString& path);
    bool exportSideBySide(const QImage& result, const QString& path);  // canvas | result
    void newCanvas(CanvasKind kind, QSize size);
    void clearCanvas();
    // Replaces the label canvas (at its size) with core's randomFacadeLabels for `seed`, as one undoable
    // command, and shows it (label mode). Without a seed: a new one each time. Returns the seed used.
    quint64 randomFacade(std::optional<quint64> seed = std::nullopt);
    // A built-in example (File ▸ Examples) as a new untitled canvas of its kind; false (and failed) when the
    // resource cannot be read.
    bool openExample(const QString& resource, CanvasKind kind, const QString& title);

    // For the file dialogs.
    QString dialogDirectory() const;  // the canvas's folder, else the last one used
    bool canSaveInPlace() const;      // the canvas has a PNG file (anything else is saved as a new PNG)
    QString saveAsSuggestion() const;
    QString exportSuggestion(const QString& baseName) const;  // "result" → "<canvas>_result.png"
    static QString withPngSuffix(const QString& path);
    QStringList recentFiles() const;
    void clearRecentFiles();

    // The class list: the CMP classes in label mode, ink and paper in edge mode; the row chosen in each mode.
    QVector<PaletteEntry> paletteEntries() const;
    cv::Vec3b secondaryColour() const;  // what the eraser and right button paint at first: facade or paper
    int paletteSelection() const { return selection_[slot(mode_)]; }
    void setPaletteSelection(int index) { selection_[slot(mode_)] = index; }
    PalettePick pickColour(const cv::Vec3b& colour) const;
    QString describePixel(QPoint pixel) const;  // "x, y" and, in label mode, the class under it

    // The starting canvas of a kind: labels are all facade on a background border, edges are white paper.
    static cv::Mat blankCanvas(CanvasKind kind, QSize size);

Q_SIGNALS:
    void modeChanged(p2p::ui::CanvasKind mode);
    // The showing canvas's own signals; the hidden canvas's are not passed on.
    void imageChanged();
    void documentReset();
    void historyChanged();
    void filePathChanged();

    void failed(const QString& message);
    void statusMessage(const QString& message, int timeoutMs);
    void recentFilesChanged();

private:
    static int slot(CanvasKind kind) { return kind == CanvasKind::Edges ? 1 : 0; }
    cv::Mat readCanvasImage(const QString& path, CanvasKind& kind, QStringList& notes) const;
    bool writeImage(const QString& path, const cv::Mat& bgr, bool png);
    void addRecentFile(const QString& path);

    QSettings* settings_;
    std::array<LabelDocument*, 2> documents_{};
    CanvasKind mode_ = CanvasKind::FacadeLabels;
    std::array<int, 2> selection_{2, 0};  // window in label mode, ink in edge mode
};

}  // namespace p2p::ui
