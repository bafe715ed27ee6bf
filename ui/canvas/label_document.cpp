#include "ui/canvas/label_document.h"

#include <QCoreApplication>

#include "ui/canvas/image_ops.h"

namespace p2p::ui {

namespace {

// One undo step: the rectangle's pixels before and after.
class RegionCommand : public CanvasCommand {
public:
    RegionCommand(LabelDocument* document, QString text, const cv::Rect& region, cv::Mat before,
                  cv::Mat after)
        : document_(document),
          text_(std::move(text)),
          region_(region),
          before_(std::move(before)),
          after_(std::move(after)) {}
    void undo() override { document_->writeRegion(region_, before_); }
    void redo() override { document_->writeRegion(region_, after_); }
    QString text() const override { return text_; }
    std::size_t bytes() const override {
        return sizeof(*this) + before_.total() * before_.elemSize() + after_.total() * after_.elemSize();
    }

private:
    LabelDocument* document_;
    QString text_;
    cv::Rect region_;
    cv::Mat before_, after_;
};

}  // namespace

QString toString(CanvasKind kind) {
    return kind == CanvasKind::Edges ? QStringLiteral("edges") : QStringLiteral("facade-labels");
}

QString displayName(CanvasKind kind) {
    return kind == CanvasKind::Edges ? QCoreApplication::translate("p2p", "Edge sketch")
                                     : QCoreApplication::translate("p2p", "Facade labels");
}

QRect toQRect(const cv::Rect& r) {
    return {r.x, r.y, r.width, r.height};
}
cv::Point toCvPoint(QPoint p) {
    return {p.x(), p.y()};
}

LabelDocument::LabelDocument(QObject* parent) : QObject(parent) {
    connect(&history_, &CommandHistory::cleanChanged, this,
            [this](bool clean) { Q_EMIT modifiedChanged(!clean); });
}

LabelDocument::~LabelDocument() = default;

void LabelDocument::reset(const cv::Mat& image, CanvasKind kind, const QString& path) {
    CV_Assert(image.type() == CV_8UC3 && !image.empty());
    stroke_ = {};
    image_ = image.clone();
    kind_ = kind;
    history_.clear();
    setFilePath(path);
    Q_EMIT documentReset();
    Q_EMIT imageChanged(QRect(0, 0, image_.cols, image_.rows));
}

void LabelDocument::setFilePath(const QString& path) {
    if (path == path_) return;
    path_ = path;
    Q_EMIT filePathChanged(path_);
}

void LabelDocument::markSaved() {
    history_.setClean();
}

void LabelDocument::beginStroke() {
    if (stroke_.active || image_.empty()) return;
    stroke_.active = true;
    stroke_.before = image_.clone();
    stroke_.changed = {};
}

void LabelDocument::strokeSegment(QPoint from, QPoint to, int size, const cv::Vec3b& colour) {
    if (!stroke_.active) return;
    const cv::Rect r = drawStroke(image_, toCvPoint(from), toCvPoint(to), size, colour);
    if (r.empty()) return;
    stroke_.changed = stroke_.changed.empty() ? r : (stroke_.changed | r);
    Q_EMIT imageChanged(toQRect(r));
}

void LabelDocument::redrawStroke(const Drawing& draw) {
    if (!stroke_.active) return;
    const cv::Rect old = stroke_.changed;
    if (!old.empty()) stroke_.before(old).copyTo(image_(old));
    const cv::Rect r = draw(image_);
    const cv::Rect touched = old.empty() ? r : (r.empty() ? old : (old | r));
    if (touched.empty()) return;
    stroke_.changed = touched;  // restored pixels equal `before`, so the command may span them too
    Q_EMIT imageChanged(toQRect(touched));
}

void LabelDocument::cancelStroke() {
    if (!stroke_.active) return;
    Stroke stroke = std::move(stroke_);
    stroke_ = {};
    if (stroke.changed.empty()) return;
    stroke.before(stroke.changed).copyTo(image_(stroke.changed));
    Q_EMIT imageChanged(toQRect(stroke.changed));
}

void LabelDocument::paint(const QString& text, const Drawing& draw) {
    if (image_.empty() || stroke_.active) return;
    const cv::Mat before = image_.clone();  // the changed rectangle is only known afterwards
    const cv::Rect region = draw(image_) & cv::Rect(0, 0, image_.cols, image_.rows);
    if (region.empty() || cv::norm(before(region), image_(region), cv::NORM_INF) == 0) return;
    pushRegion(text, region, before(region));
    Q_EMIT imageChanged(toQRect(region));
}

void LabelDocument::endStroke(const QString& text) {
    if (!stroke_.active) return;
    Stroke stroke = std::move(stroke_);
    stroke_ = {};
    if (stroke.changed.empty()) return;
    // Strokes that repaint a pixel with its own colour change nothing; such a stroke is no undo step.
    if (cv::norm(stroke.before(stroke.changed), image_(stroke.changed), cv::NORM_INF) == 0) return;
    pushRegion(text, stroke.changed, stroke.before(stroke.changed));
}

void LabelDocument::pushRegion(const QString& text, const cv::Rect& region, const cv::Mat& before) {
    history_.push(std::make_unique<RegionCommand>(this, text, region, before.clone(), image_(region).clone()),
                  /*alreadyApplied=*/true);
}

void LabelDocument::fillRectangle(QPoint corner1, QPoint corner2, const cv::Vec3b& colour) {
    if (image_.empty() || stroke_.active) return;
    const cv::Rect region = spanRect(toCvPoint(corner1), toCvPoint(corner2), image_.size());
    if (region.empty()) return;
    const cv::Mat before = image_(region).clone();
    p2p::ui::fillRectangle(image_, toCvPoint(corner1), toCvPoint(corner2), colour);
    if (cv::norm(before, image_(region), cv::NORM_INF) == 0) return;
    pushRegion(tr("Rectangle"), region, before);
    Q_EMIT imageChanged(toQRect(region));
}

void LabelDocument::floodFill(QPoint seed, const cv::Vec3b& colour) {
    if (image_.empty() || stroke_.active) return;
    // The changed rectangle is only known afterwards, so keep the whole image until then.
    const cv::Mat before = image_.clone();
    const cv::Rect region = p2p::ui::floodFill(image_, toCvPoint(seed), colour);
    if (region.empty()) return;
    pushRegion(tr("Fill"), region, before(region));
    Q_EMIT imageChanged(toQRect(region));
}

void LabelDocument::replaceImage(const cv::Mat& image, const QString& text) {
    if (image_.empty() || stroke_.active) return;
    CV_Assert(image.type() == CV_8UC3 && image.size() == image_.size());
    if (cv::norm(image, image_, cv::NORM_INF) == 0) return;
    const cv::Rect all(0, 0, image_.cols, image_.rows);
    const cv::Mat before = image_.clone();
    image.copyTo(image_);
    pushRegion(text, all, before);
    Q_EMIT imageChanged(toQRect(all));
}

cv::Vec3b LabelDocument::colourAt(QPoint point) const {
    return pickColour(image_, toCvPoint(point));
}

void LabelDocument::writeRegion(const cv::Rect& region, const cv::Mat& pixels) {
    pixels.copyTo(image_(region));
    Q_EMIT imageChanged(toQRect(region));
}

void LabelDocument::undo() {
    endStroke(tr("Paint"));
    history_.undo();
}

void LabelDocument::redo() {
    endStroke(tr("Paint"));
    history_.redo();
}

}  // namespace p2p::ui
