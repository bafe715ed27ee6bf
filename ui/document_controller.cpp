#include "ui/document_controller.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QSettings>
#include <QTemporaryDir>

#include <algorithm>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/common/atomic_file.h"
#include "core/common/error.h"
#include "core/io/image_io.h"
#include "core/labels/palette.h"
#include "core/labels/random_facade.h"
#include "ui/canvas/image_ops.h"
#include "ui/dialogs/edges_dialog.h"
#include "ui/image_convert.h"

namespace p2p::ui {

namespace {

constexpr int kMaxRecentFiles = 8;
const cv::Vec3b kInk(0, 0, 0);
const cv::Vec3b kPaper(255, 255, 255);

const QString kModeKey = QStringLiteral("canvas/mode");
const QString kRecentKey = QStringLiteral("recentFiles");
const QString kLastDirectoryKey = QStringLiteral("lastDirectory");

cv::Vec3b backgroundColour() {
    return cmpClass(cmpClassId("background")).bgr();
}

// How far a colour image is from being drawn in `palette`: every pixel's distance to its nearest class
// colour.
double paletteMisfit(const cv::Mat& bgr, LabelPalette palette) {
    return cv::norm(bgr, snapToPalette(bgr, palette), cv::NORM_L1);
}

// The class whose colour is exactly `bgr`, or -1 (a row of the class list: CMP class id - 1).
int classIndexOf(const cv::Vec3b& bgr) {
    const auto& classes = cmpClasses();
    for (size_t i = 0; i < classes.size(); ++i)
        if (classes[i].bgr() == bgr) return int(i);
    return -1;
}

// Index 0 is unused in the CMP palette; a pixel must be a class, and background is the neutral one.
cv::Mat labelCanvas(LabelMap map) {
    map.ids.setTo(cmpClassId("background"), map.ids == 0);
    return labelsToColour(map.ids);
}

QString fileName(const QString& path) {
    return QFileInfo(path).fileName();
}

}  // namespace

DocumentController::DocumentController(QSettings* settings, QObject* parent)
    : QObject(parent), settings_(settings) {
    mode_ = settings_->value(kModeKey).toString() == toString(CanvasKind::Edges) ? CanvasKind::Edges
                                                                                 : CanvasKind::FacadeLabels;
    for (CanvasKind kind : {CanvasKind::FacadeLabels, CanvasKind::Edges}) {
        auto* doc = new LabelDocument(this);
        doc->reset(blankCanvas(kind, QSize(256, 256)), kind);
        documents_[slot(kind)] = doc;
        auto showing = [this, doc] { return doc == document(); };
        connect(doc, &LabelDocument::imageChanged, this, [this, showing] {
            if (showing()) Q_EMIT imageChanged();
        });
        connect(doc, &LabelDocument::documentReset, this, [this, showing] {
            if (showing()) Q_EMIT documentReset();
        });
        connect(doc->history(), &CommandHistory::changed, this, [this, showing] {
            if (showing()) Q_EMIT historyChanged();
        });
        connect(doc, &LabelDocument::filePathChanged, this, [this, showing] {
            if (showing()) Q_EMIT filePathChanged();
        });
    }
}

void DocumentController::setMode(CanvasKind kind) {
    if (kind == mode_) return;
    mode_ = kind;
    Q_EMIT modeChanged(kind);
}

void DocumentController::saveSettings() {
    settings_->setValue(kModeKey, toString(mode_));
}

cv::Mat DocumentController::blankCanvas(CanvasKind kind, QSize size) {
    const cv::Size s(std::max(1, size.width()), std::max(1, size.height()));
    if (kind == CanvasKind::Edges) return cv::Mat(s, CV_8UC3, cv::Scalar(255, 255, 255));
    // As the pix2pix facades demo: a facade filling the canvas inside a thin background frame.
    const int border = std::max(1, std::min(s.width, s.height) / 16);
    return borderedCanvas(s, cmpClass(cmpClassId("facade")).bgr(), backgroundColour(), border);
}

// ------------------------------------------------------------------------------------------------- open

// The image for the canvas of `kind`; a CMP palette PNG turns `kind` into label mode whichever mode is
// showing. Throws p2p::Error naming the file.
cv::Mat DocumentController::readCanvasImage(const QString& path, CanvasKind& kind, QStringList& notes) const {
    const std::string file = path.toStdString();
    if (kind == CanvasKind::FacadeLabels) {
        LabelMap map = loadLabelMap(file);
        if (!map.from_indices) {
            // A colour label map may be in the pix2pix facades set's colours (e.g. a label half of that set):
            // read it in whichever palette fits it better; the canvas then shows it in CMP colours.
            const cv::Mat bgr = loadImage(file).bgr;
            const double cmpMisfit = paletteMisfit(bgr, LabelPalette::Cmp);
            if (cmpMisfit == 0) {
                map.notes.clear();  // exactly the class colours (e.g. a canvas we saved): nothing snapped
            } else if (paletteMisfit(bgr, LabelPalette::Pix2PixFacades) < cmpMisfit) {
                map.ids = colourToLabels(bgr, LabelPalette::Pix2PixFacades);
                map.notes.push_back("read as the pix2pix facades set's label colours");
            }
        }
        for (const auto& n : map.notes) notes << QString::fromStdString(n);
        return labelCanvas(std::move(map));
    }
    LoadedImage loaded = loadImage(file);
    if (loaded.header.palette) {
        LabelMap map = loadLabelMap(file);
        if (map.from_indices) {
            kind = CanvasKind::FacadeLabels;
            for (const auto& n : map.notes) notes << QString::fromStdString(n);
            return labelCanvas(std::move(map));
        }
    }
    for (const auto& n : loaded.notes) notes << QString::fromStdString(n);
    return loaded.bgr;
}

bool DocumentController::openFile(const QString& path) {
    CanvasKind kind = mode_;
    QStringList notes;
    cv::Mat image;
    try {
        image = readCanvasImage(path, kind, notes);
    } catch (const std::exception& e) {
        Q_EMIT failed(QString::fromStdString(e.what()));
        return false;
    }
    setMode(kind);
    document()->reset(image, kind, path);
    addRecentFile(path);
    Q_EMIT statusMessage(notes.isEmpty()
                             ? tr("Opened %1").arg(fileName(path))
                             : tr("Opened %1 (%2)").arg(fileName(path), notes.join(QStringLiteral("; "))),
                         6000);
    return true;
}

bool DocumentController::openPhotoAsEdges(const QString& path, const EdgeOptions& options, int longestSide) {
    cv::Mat edges;
    try {
        options.validate();
        const LoadedImage photo = loadImage(path.toStdString());
        edges = photoToEdges(EdgesDialog::resizedPhoto(photo.bgr, longestSide), options);
    } catch (const std::exception& e) {
        Q_EMIT failed(QString::fromStdString(e.what()));
        return false;
    }
    setMode(CanvasKind::Edges);
    document()->reset(edges, CanvasKind::Edges);
    Q_EMIT statusMessage(tr("Edges of %1").arg(fileName(path)), 6000);
    return true;
}

std::optional<cv::Mat> DocumentController::readPhoto(const QString& path) {
    try {
        return loadImage(path.toStdString()).bgr;
    } catch (const std::exception& e) {
        Q_EMIT failed(QString::fromStdString(e.what()));
        return std::nullopt;
    }
}

void DocumentController::showEdges(const cv::Mat& edges, const QString& photoPath) {
    setMode(CanvasKind::Edges);
    document()->reset(edges, CanvasKind::Edges);
    settings_->setValue(kLastDirectoryKey, QFileInfo(photoPath).absolutePath());
}

void DocumentController::newCanvas(CanvasKind kind, QSize size) {
    setMode(kind);
    document()->reset(blankCanvas(kind, size), kind);
}

void DocumentController::clearCanvas() {
    document()->replaceImage(blankCanvas(mode_, document()->size()), tr("Clear"));
}

quint64 DocumentController::randomFacade(std::optional<quint64> seed) {
    const quint64 s =
        seed.value_or(QRandomGenerator::global()->generate());  // 32 bits: short enough to read and note
    LabelDocument* labels = document(CanvasKind::FacadeLabels);
    const QSize size = labels->size();
    LabelMap map;
    map.ids = randomFacadeLabels(cv::Size(size.width(), size.height()), s);
    setMode(CanvasKind::FacadeLabels);
    labels->replaceImage(labelCanvas(std::move(map)), tr("Random Facade"));
    Q_EMIT statusMessage(tr("Random facade, seed %1 (Ctrl+Z undoes it)").arg(s), 6000);
    return s;
}

bool DocumentController::openExample(const QString& resource, CanvasKind kind, const QString& title) {
    // Through a temporary file, so an example is read exactly as a file of its kind would be (palette PNGs,
    // the facades set's colours).
    QFile in(resource);
    QTemporaryDir dir;
    const QString copy = dir.filePath(QFileInfo(resource).fileName());
    QFile out(copy);
    if (!dir.isValid() || !in.open(QIODevice::ReadOnly) || !out.open(QIODevice::WriteOnly) ||
        out.write(in.readAll()) < 0 || !out.flush()) {
        Q_EMIT failed(tr("Could not read the example %1: %2").arg(title, in.errorString()));
        return false;
    }
    out.close();
    QStringList notes;
    cv::Mat image;
    try {
        image = readCanvasImage(copy, kind, notes);
    } catch (const std::exception& e) {
        Q_EMIT failed(QString::fromStdString(e.what()));
        return false;
    }
    setMode(kind);
    document()->reset(image, kind);  // untitled: Save asks where, and the example stays as it is
    Q_EMIT statusMessage(tr("Example: %1").arg(title), 6000);
    return true;
}

// ------------------------------------------------------------------------------------------- save, export

// Writes the encoded image so that a crash leaves the old file or the whole new one. JPEG when the name
// says so and `png` is false, else PNG.
bool DocumentController::writeImage(const QString& path, const cv::Mat& bgr, bool png) {
    const QString suffix = QFileInfo(path).suffix().toLower();
    const bool jpeg = !png && (suffix == QLatin1String("jpg") || suffix == QLatin1String("jpeg"));
    try {
        saveImageAs(path.toStdString(), bgr, jpeg ? ".jpg" : ".png");
    } catch (const std::exception& e) {
        Q_EMIT failed(QString::fromStdString(e.what()));
        return false;
    }
    return true;
}

bool DocumentController::saveCanvas(const QString& path) {
    if (!writeImage(path, document()->image(), /*png=*/true)) return false;
    document()->setFilePath(path);
    document()->markSaved();
    addRecentFile(path);
    Q_EMIT statusMessage(tr("Saved %1").arg(fileName(path)), 4000);
    return true;
}

bool DocumentController::exportResult(const QImage& result, const QString& path) {
    if (result.isNull()) {
        Q_EMIT failed(tr("There is no translated image to export yet."));
        return false;
    }
    if (!writeImage(path, qImageToMat(result), /*png=*/false)) return false;
    Q_EMIT statusMessage(tr("Exported %1").arg(fileName(path)), 4000);
    return true;
}

bool DocumentController::exportSideBySide(const QImage& result, const QString& path) {
    if (result.isNull()) {
        Q_EMIT failed(tr("There is no translated image to export yet."));
        return false;
    }
    cv::Mat both;
    try {
        cv::hconcat(document()->image(), qImageToMat(result), both);
    } catch (const std::exception& e) {  // a result of another size
        Q_EMIT failed(QString::fromStdString(e.what()));
        return false;
    }
    if (!writeImage(path, both, /*png=*/false)) return false;
    Q_EMIT statusMessage(tr("Exported %1").arg(fileName(path)), 4000);
    return true;
}

// ------------------------------------------------------------------------------------- dialogs, recent

QString DocumentController::dialogDirectory() const {
    if (!document()->filePath().isEmpty()) return QFileInfo(document()->filePath()).absolutePath();
    return settings_->value(kLastDirectoryKey, QDir::homePath()).toString();
}

bool DocumentController::canSaveInPlace() const {
    const QString path = document()->filePath();
    return !path.isEmpty() &&
           QFileInfo(path).suffix().compare(QLatin1String("png"), Qt::CaseInsensitive) == 0;
}

QString DocumentController::saveAsSuggestion() const {
    const QString path = document()->filePath();
    if (path.isEmpty())
        return QDir(dialogDirectory())
            .filePath(mode_ == CanvasKind::Edges ? tr("sketch.png") : tr("labels.png"));
    const QFileInfo info(path);
    return info.absolutePath() + QLatin1Char('/') + info.completeBaseName() + QStringLiteral(".png");
}

QString DocumentController::exportSuggestion(const QString& baseName) const {
    const QString path = document()->filePath();
    const QString base =
        path.isEmpty() ? baseName : QFileInfo(path).completeBaseName() + QLatin1Char('_') + baseName;
    return QDir(dialogDirectory()).filePath(base + QStringLiteral(".png"));
}

QString DocumentController::withPngSuffix(const QString& path) {
    return QFileInfo(path).suffix().compare(QLatin1String("png"), Qt::CaseInsensitive) == 0
               ? path
               : path + QStringLiteral(".png");
}

QStringList DocumentController::recentFiles() const {
    return settings_->value(kRecentKey).toStringList();
}

void DocumentController::clearRecentFiles() {
    settings_->remove(kRecentKey);
    Q_EMIT recentFilesChanged();
}

void DocumentController::addRecentFile(const QString& path) {
    QStringList files = recentFiles();
    const QString absolute = QFileInfo(path).absoluteFilePath();
    files.removeAll(absolute);
    files.prepend(absolute);
    while (files.size() > kMaxRecentFiles) files.removeLast();
    settings_->setValue(kRecentKey, files);
    settings_->setValue(kLastDirectoryKey, QFileInfo(absolute).absolutePath());
    Q_EMIT recentFilesChanged();
}

// ------------------------------------------------------------------------------------------------ palette

QVector<PaletteEntry> DocumentController::paletteEntries() const {
    QVector<PaletteEntry> entries;
    if (mode_ == CanvasKind::FacadeLabels) {
        for (const LabelClass& c : cmpClasses())
            entries.push_back({QString::fromStdString(c.name), toQColor(c.bgr())});
    } else {
        entries.push_back({tr("ink"), toQColor(kInk)});
        entries.push_back({tr("paper"), toQColor(kPaper)});
    }
    return entries;
}

cv::Vec3b DocumentController::secondaryColour() const {
    // The facade class: erasing inside a facade leaves facade, not the dark background stripes it used to.
    return mode_ == CanvasKind::FacadeLabels ? cmpClass(cmpClassId("facade")).bgr() : kPaper;
}

PalettePick DocumentController::pickColour(const cv::Vec3b& colour) const {
    if (mode_ == CanvasKind::Edges) {
        // A sketch may hold greys: pick whichever of ink and paper is nearer.
        const int grey = (colour[0] + colour[1] + colour[2]) / 3;
        return {grey < 128 ? 0 : 1, QString()};
    }
    const int i = classIndexOf(colour);
    if (i < 0) return {-1, tr("That colour is not a class")};
    return {i, tr("Picked %1").arg(QString::fromStdString(cmpClasses()[i].name))};
}

QString DocumentController::describePixel(QPoint pixel) const {
    const QString where = QStringLiteral("%1, %2").arg(pixel.x()).arg(pixel.y());
    if (mode_ != CanvasKind::FacadeLabels) return where;
    const int i = classIndexOf(document()->colourAt(pixel));
    return QStringLiteral("%1 · %2").arg(
        where, i >= 0 ? QString::fromStdString(cmpClasses()[i].name) : tr("(not a class)"));
}

}  // namespace p2p::ui
