#pragma once

// The image being painted: a facade label map (every pixel one class colour) or an edge sketch (black on
// white). cv::Mat CV_8UC3 BGR, the format core translates. Every edit becomes one undoable command that
// stores only the changed rectangle, before and after.

#include <QObject>
#include <QPoint>
#include <QRect>
#include <QSize>
#include <QString>

#include <functional>

#include <opencv2/core.hpp>

#include "ui/canvas/command_history.h"

namespace p2p::ui {

enum class CanvasKind { FacadeLabels, Edges };

QString toString(CanvasKind kind);  // "facade-labels" | "edges", as ModelInfo::input_kind
QString displayName(CanvasKind kind);

class LabelDocument : public QObject {
    Q_OBJECT
public:
    explicit LabelDocument(QObject* parent = nullptr);
    ~LabelDocument() override;

    CanvasKind kind() const { return kind_; }
    const cv::Mat& image() const { return image_; }
    QSize size() const { return {image_.cols, image_.rows}; }
    bool isEmpty() const { return image_.empty(); }
    QString filePath() const { return path_; }
    bool isModified() const { return !history_.isClean(); }
    CommandHistory* history() { return &history_; }

    // New content: the history is cleared and the document is unmodified. The image must be CV_8UC3.
    void reset(const cv::Mat& image, CanvasKind kind, const QString& path = {});
    void setFilePath(const QString& path);
    void markSaved();

    // A stroke paints live (so the preview can follow the mouse) and becomes one command at endStroke().
    void beginStroke();
    void strokeSegment(QPoint from, QPoint to, int size, const cv::Vec3b& colour);
    void endStroke(const QString& text);
    bool strokeActive() const { return stroke_.active; }
    // Draws on the image and returns the rectangle it may have changed (an image_ops call, mostly).
    using Drawing = std::function<cv::Rect(cv::Mat& image)>;
    // A shape dragged out live: puts back the pixels the stroke has painted so far, then draws afresh,
    // so the canvas (and the preview) always shows the shape under the pointer. One command at endStroke().
    void redrawStroke(const Drawing& draw);
    // Puts back every pixel the stroke painted; no command (Escape during a drag).
    void cancelStroke();
    // One edit drawn at once (a closed polygon): one command named `text` when it changed a pixel.
    void paint(const QString& text, const Drawing& draw);

    void fillRectangle(QPoint corner1, QPoint corner2, const cv::Vec3b& colour);
    void floodFill(QPoint seed, const cv::Vec3b& colour);
    // Replaces every pixel (Clear); one command.
    void replaceImage(const cv::Mat& image, const QString& text);
    cv::Vec3b colourAt(QPoint point) const;

    // For commands: writes `pixels` at `region` and announces it.
    void writeRegion(const cv::Rect& region, const cv::Mat& pixels);

public Q_SLOTS:
    void undo();
    void redo();

Q_SIGNALS:
    void imageChanged(const QRect& region);  // pixels changed (also during a stroke)
    void documentReset();                    // size, kind or whole content replaced
    void modifiedChanged(bool modified);
    void filePathChanged(const QString& path);

private:
    void pushRegion(const QString& text, const cv::Rect& region, const cv::Mat& before);

    cv::Mat image_;
    CanvasKind kind_ = CanvasKind::FacadeLabels;
    QString path_;
    CommandHistory history_;
    struct Stroke {
        bool active = false;
        cv::Mat before;  // the whole image at the stroke's start
        cv::Rect changed;
    } stroke_;
};

QRect toQRect(const cv::Rect& r);
cv::Point toCvPoint(QPoint p);

}  // namespace p2p::ui
