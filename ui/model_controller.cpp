#include "ui/model_controller.h"

#include <QFileInfo>
#include <QLocale>
#include <QSettings>
#include <QUrl>
#include <QtConcurrent/QtConcurrentRun>

#include <utility>

#include "ui/preview/preview_controller.h"

namespace p2p::ui {

namespace {

const QString kNormKey = QStringLiteral("preview/norm");

QString modelKey(CanvasKind kind) {
    return QStringLiteral("model/") + toString(kind);
}

// Per file; the path is percent-encoded because '/' separates settings groups.
QString answerKey(const QString& modelPath) {
    return QStringLiteral("modelModes/") +
           QString::fromLatin1(QUrl::toPercentEncoding(QFileInfo(modelPath).absoluteFilePath()));
}

std::optional<CanvasKind> kindFromString(const QString& s) {
    if (s == toString(CanvasKind::FacadeLabels)) return CanvasKind::FacadeLabels;
    if (s == toString(CanvasKind::Edges)) return CanvasKind::Edges;
    return std::nullopt;
}

CanvasKind other(CanvasKind kind) {
    return kind == CanvasKind::Edges ? CanvasKind::FacadeLabels : CanvasKind::Edges;
}

bool sameFile(const QString& a, const QString& b) {
    return !a.isEmpty() && !b.isEmpty() && QFileInfo(a) == QFileInfo(b);
}

QString labelColoursNote(LabelPalette palette) {
    return palette == LabelPalette::Cmp ? ModelController::tr("label colours: CMP (the canvas's own)")
                                        : ModelController::tr(
                                              "label colours: pix2pix facades set (the canvas's CMP colours "
                                              "are converted class by class)");
}

void addMetadata(QVector<QPair<QString, QString>>& rows, const QString& prefix, const nlohmann::json& value) {
    if (value.is_object() && !value.empty()) {
        for (auto it = value.begin(); it != value.end(); ++it)
            addMetadata(rows,
                        prefix.isEmpty() ? QString::fromStdString(it.key())
                                         : prefix + QLatin1Char('.') + QString::fromStdString(it.key()),
                        it.value());
        return;
    }
    rows.push_back({prefix, value.is_string() ? QString::fromStdString(value.get<std::string>())
                                              : QString::fromStdString(value.dump())});
}

}  // namespace

QVector<QPair<QString, QString>> modelInformationFields(const ModelInfo& info,
                                                        const std::optional<QString>& labelColours) {
    auto text = [](const std::string& s, const QString& otherwise = QString()) {
        return s.empty() ? otherwise : QString::fromStdString(s);
    };
    const QString unknown = ModelController::tr("unknown");
    QVector<QPair<QString, QString>> rows{
        {ModelController::tr("model"), text(info.name)},
        {ModelController::tr("file"), text(info.path)},
        {ModelController::tr("format"), info.format == "p2pm"
                                            ? ModelController::tr("Pix2Pix Studio model (.p2pm)")
                                            : ModelController::tr("reference PyTorch state dict (.pth)")},
        {ModelController::tr("generator"),
         text(info.generator.describe()) +
             (info.architecture_inferred ? QString() : ModelController::tr(" (from flags)"))},
        {ModelController::tr("parameters"), QLocale().toString(qlonglong(info.generator_parameters))},
        {ModelController::tr("discriminator"),
         info.discriminator ? text(info.discriminator->describe()) : ModelController::tr("none")},
        {ModelController::tr("direction"), text(info.direction, unknown)},
        {ModelController::tr("input"), text(info.input_kind, unknown)},
        {ModelController::tr("stored as"), text(info.stored_dtype)},
    };
    if (info.metadata.is_object())
        for (auto it = info.metadata.begin(); it != info.metadata.end(); ++it)
            addMetadata(rows, QStringLiteral("metadata: ") + QString::fromStdString(it.key()), it.value());
    else if (!info.metadata.is_null())
        addMetadata(rows, QStringLiteral("metadata"), info.metadata);
    if (labelColours) rows.push_back({ModelController::tr("label colours"), *labelColours});
    return rows;
}

ModelController::ModelController(PreviewController* preview, QSettings* settings,
                                 ModelControllerOptions options, QObject* parent)
    : QObject(parent),
      preview_(preview),
      settings_(settings),
      options_(std::move(options)),
      mode_(options_.mode) {
    connect(preview_, &PreviewController::modelLoaded, this, &ModelController::onModelLoaded);
    connect(preview_, &PreviewController::modelLoadFailed, this, &ModelController::onModelLoadFailed);
    connect(preview_, &PreviewController::deviceFellBack, this, [this](const QString& reason) {
        fellBack_ = true;
        Q_EMIT statusMessage(tr("The GPU failed, so the preview runs on the CPU now: %1").arg(reason), 20000);
    });
    for (CanvasKind kind : {CanvasKind::FacadeLabels, CanvasKind::Edges})
        remembered_[slot(kind)] = settings_->value(modelKey(kind)).toString();
    connect(&catalogWatcher_, &QFutureWatcher<QVector<CatalogEntry>>::finished, this,
            &ModelController::onCatalogScanned);

    const QString norm = settings_->value(kNormKey).toString();
    if (norm == QLatin1String("running") || norm == QLatin1String("image")) {
        EngineOptions engine = preview_->engineOptions();
        const NormStats stats = normStatsFromString(norm.toStdString());
        if (engine.preview_norm != stats) {
            engine.preview_norm = stats;
            preview_->setEngineOptions(engine);  // no model yet: nothing reloads
        }
    }
}

ModelController::~ModelController() {
    catalogWatcher_.waitForFinished();
}

void ModelController::startCatalogScan() {
    const QStringList dirs = options_.modelDirectories.value_or(ModelCatalog::searchDirectories());
    scanning_ = true;
    catalogWatcher_.setFuture(QtConcurrent::run([dirs] { return ModelCatalog::scan(dirs); }));
    Q_EMIT catalogChanged();  // "Looking for models…"
}

void ModelController::onCatalogScanned() {
    scanning_ = false;
    catalog_ = ModelCatalog(catalogWatcher_.result());
    Q_EMIT catalogChanged();
    loadModelForMode();
}

void ModelController::setMode(CanvasKind kind) {
    if (kind == mode_) return;
    mode_ = kind;
    // While the catalog is scanned, a mode without a remembered model waits for the scan.
    if (!scanning_ || !rememberedModel(kind).isEmpty()) loadModelForMode();
}

QString ModelController::rememberedModel(CanvasKind kind) const {
    return remembered_[slot(kind)];
}

void ModelController::remember(CanvasKind kind, const QString& path) {
    remembered_[slot(kind)] = path;
    settings_->setValue(modelKey(kind), path);
}

void ModelController::forget(CanvasKind kind) {
    remembered_[slot(kind)].clear();
    settings_->remove(modelKey(kind));
}

std::optional<CanvasKind> ModelController::answeredModeOf(const QString& modelPath) const {
    return kindFromString(settings_->value(answerKey(modelPath)).toString());
}

void ModelController::saveSettings() {
    for (CanvasKind kind : {CanvasKind::FacadeLabels, CanvasKind::Edges})
        settings_->setValue(modelKey(kind), rememberedModel(kind));
    settings_->setValue(kNormKey, normalisation() == NormStats::Running ? QStringLiteral("running")
                                                                        : QStringLiteral("image"));
}

// ------------------------------------------------------------------------------------------------ loading

void ModelController::loadModel(const QString& path, const ModelLoadOptions& options) {
    startLoad(path, options, /*automatic=*/false);
}

void ModelController::startLoad(const QString& path, const ModelLoadOptions& options, bool automatic) {
    loading_ = true;
    pending_ = LoadRequest{mode_, automatic};
    Q_EMIT loadStarted(path);
    preview_->loadModel(path, options);
}

// A path known to be the other mode's: the loaded model's own mode, or the user's answer for the file.
bool ModelController::knownForOtherMode(const QString& path) const {
    if (model_ && sameFile(path, loadedModelPath())) return modelMode_ != mode_;
    const auto answer = answeredModeOf(path);
    return answer && *answer != mode_;
}

void ModelController::loadModelForMode() {
    QString path = rememberedModel(mode_);
    if (!path.isEmpty() && knownForOtherMode(path)) {
        forget(mode_);  // remembered for the wrong mode (as the studio did before issue 17 was fixed)
        path.clear();
    }
    if (path.isEmpty() || !QFileInfo::exists(path)) {
        const auto entry = catalog_.defaultFor(mode_);
        path = entry && !knownForOtherMode(entry->path) ? entry->path : QString();
    }
    if (path.isEmpty()) {
        const QString what = mode_ == CanvasKind::Edges ? tr("edges") : tr("facades");
        noModelMessage_ = true;
        // Say where we looked, so a missing models/ folder is not a mystery.
        const QStringList lookedIn = options_.modelDirectories.value_or(ModelCatalog::candidateDirectories());
        Q_EMIT modelMissing(
            catalog_.isEmpty()
                ? tr("No embedded models found (models/*.p2pm) — load one with File ▸ Load Model… (Ctrl+L) "
                     "or train one in View ▸ Training Panel")
                : tr("No %1 model among the embedded models — load one with File ▸ Load Model…").arg(what),
            tr("no %1 model found; looked for *.p2pm in: %2").arg(what, lookedIn.join(QStringLiteral(", "))));
        return;
    }
    if (noModelMessage_) {  // this mode has a model: the other mode's "none found" no longer applies
        Q_EMIT statusMessage(QString(), 0);
        noModelMessage_ = false;
    }
    if (model_ && sameFile(path, loadedModelPath())) {  // loaded already, and for this mode
        remember(mode_, path);
        Q_EMIT modelChanged();
        return;
    }
    startLoad(path, {}, /*automatic=*/true);
}

// The input kind decides; else the user's answer for the file; else a question (the user's own choice only).
CanvasKind ModelController::modeFor(const ModelInfo& info, const LoadRequest& request) {
    if (const auto kind = kindFromString(QString::fromStdString(info.input_kind))) return *kind;
    const QString path = QString::fromStdString(info.path);
    if (const auto answer = answeredModeOf(path)) return *answer;
    if (request.automatic || !options_.askModeFor) return request.mode;
    const auto answer = options_.askModeFor(path);
    if (!answer) return request.mode;
    settings_->setValue(answerKey(path), toString(*answer));
    return *answer;
}

void ModelController::onModelLoaded(const LoadedModelSummary& summary) {
    loading_ = false;
    const std::optional<LoadRequest> request = std::exchange(pending_, std::nullopt);
    const QString path = QString::fromStdString(summary.info.path);
    const QString name = QString::fromStdString(summary.info.name);
    // No request: the same model again (another normalisation, or on the CPU after the GPU failed).
    const CanvasKind kind = request ? modeFor(summary.info, *request) : modelMode_;
    model_ = summary;
    modelMode_ = kind;
    if (request && request->automatic && kind != request->mode) {
        // A remembered model of the other mode: forgotten here, kept for its own mode when that has none.
        forget(request->mode);
        if (rememberedModel(kind).isEmpty()) remember(kind, path);
    } else if (request) {
        remember(kind, path);
    }

    if (!std::exchange(fellBack_, false)) Q_EMIT statusMessage(tr("Model %1 loaded").arg(name), 4000);
    Q_EMIT modelChanged();
    if (kind != mode_) {
        if (request && !request->automatic && request->mode == mode_) {
            Q_EMIT modeSwitchRequested(kind);
            Q_EMIT statusMessage(
                tr("Switched to the %1 mode: %2 is a model for %3")
                    .arg(displayName(kind).toLower(), name,
                         kind == CanvasKind::Edges ? tr("edge sketches") : tr("facade labels")),
                15000);
        } else {
            loadModelForMode();  // the mode changed while loading, or a stale memory: this mode's own model
        }
    }
    Q_EMIT modelReady(name);
}

void ModelController::onModelLoadFailed(const QString& path, const QString& message,
                                        bool architectureRequired) {
    loading_ = false;
    pending_.reset();
    Q_EMIT statusMessage(QString(), 0);
    Q_EMIT loadFailed(path, message, architectureRequired);
}

NormStats ModelController::normalisation() const {
    return preview_->engineOptions().preview_norm;
}

void ModelController::setNormalisation(NormStats stats) {
    if (normalisation() == stats) return;
    EngineOptions engine = preview_->engineOptions();
    engine.preview_norm = stats;
    if (model_) {
        loading_ = true;
        Q_EMIT statusMessage(tr("Reloading the model with %1 statistics…")
                                 .arg(stats == NormStats::Image ? tr("image") : tr("running")),
                             0);
    }
    preview_->setEngineOptions(engine);
    settings_->setValue(kNormKey,
                        stats == NormStats::Running ? QStringLiteral("running") : QStringLiteral("image"));
}

// --------------------------------------------------------------------------------------- what is shown

QString ModelController::loadedModelName() const {
    return model_ ? QString::fromStdString(model_->info.name) : QString();
}

QString ModelController::loadedModelPath() const {
    return model_ ? QString::fromStdString(model_->info.path) : QString();
}

bool ModelController::servesMode() const {
    return model_ && modelMode_ == mode_ && sameFile(rememberedModel(mode_), loadedModelPath());
}

QString ModelController::deviceText() const {
    if (!servesMode()) return QString();
    // The device first (CPU or CUDA), then how the engine runs on it.
    return model_->description.startsWith(model_->device) ? model_->description : model_->device;
}

QString ModelController::modelDetails() const {
    if (!model_) return QString();
    QString details = QString::fromStdString(model_->info.describe()).trimmed();
    // Only a label model converts the canvas's colours.
    if (modelMode_ == CanvasKind::FacadeLabels)
        details += QLatin1Char('\n') + labelColoursNote(model_->label_palette);
    return details;
}

std::optional<ModelInformation> ModelController::information() const {
    if (!model_) return std::nullopt;
    std::optional<QString> colours;
    if (modelMode_ == CanvasKind::FacadeLabels)
        colours = labelColoursNote(model_->label_palette).section(QStringLiteral(": "), 1, -1);
    return ModelInformation{loadedModelName(), model_->description, modelDetails(),
                            modelInformationFields(model_->info, colours)};
}

QString ModelController::noModelText(CanvasKind kind) {
    return kind == CanvasKind::Edges ? tr("no edges model loaded — File ▸ Load Model… (Ctrl+L)")
                                     : tr("no model loaded — File ▸ Load Model… (Ctrl+L)");
}

}  // namespace p2p::ui
