#include "ui/training/train_options_form.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QStandardPaths>
#include <QVBoxLayout>

#include <limits>

#include "core/common/device.h"
#include "core/common/runtime.h"
#include "core/train/presets.h"
#include "ui/training/train_options_binder.h"

namespace p2p::ui {

namespace {

QComboBox* makeCombo(const QStringList& values) {
    auto* box = new QComboBox;
    for (const QString& v : values) box->addItem(v, v);
    return box;
}

QSpinBox* makeSpin(int lo, int hi, int step = 1) {
    auto* spin = new QSpinBox;
    spin->setRange(lo, hi);
    spin->setSingleStep(step);
    spin->setGroupSeparatorShown(true);
    return spin;
}

const p2p::TrainPreset* findPreset(const QString& name) {
    for (const p2p::TrainPreset& p : p2p::trainPresets())
        if (QString::fromStdString(p.name) == name) return &p;
    return nullptr;
}

// Automatic says what it picks here; bf16 where the CPU lacks bf16 instructions still runs, emulated and slower.
QComboBox* makePrecisionBox() {
    using p2p::TrainPrecision;
    const bool cpuHasBf16 = p2p::cpuBf16Support().any();
    const TrainPrecision autoHere =
        p2p::resolvePrecision(TrainPrecision::Auto, p2p::Device::automatic().resolved(), cpuHasBf16);
    auto* box = new QComboBox;
    box->addItem(QObject::tr("Automatic (%1 here)").arg(QString::fromStdString(p2p::toString(autoHere))), "auto");
    box->addItem(QObject::tr("fp32"), "fp32");
    box->addItem(QObject::tr("bf16 mixed"), "bf16");
    box->setToolTip(
        QObject::tr("What the convolutions compute in. bf16 mixed keeps weights, Adam, losses and BatchNorm "
                    "statistics in fp32 and is about twice as fast on CPUs with bf16 instructions (this one: "
                    "%1). Automatic picks bf16 on such a CPU and fp32 elsewhere, and the run records its choice.")
            .arg(QString::fromStdString(p2p::cpuBf16Support().describe())));
    return box;
}

}  // namespace

TrainOptionsForm::TrainOptionsForm(QWidget* parent) : QWidget(parent), binder_(new TrainOptionsBinder(this)) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(buildModelGroup());
    layout->addWidget(buildRunGroup());
    connect(binder_, &TrainOptionsBinder::edited, this, &TrainOptionsForm::onEdited);
    setOptions(p2p::TrainOptions{});
}

QWidget* TrainOptionsForm::buildModelGroup() {
    auto* group = new QGroupBox(tr("Model"));
    presetBox_ = new QComboBox;
    for (const p2p::TrainPreset& p : p2p::trainPresets()) {
        presetBox_->addItem(QString::fromStdString(p.title), QString::fromStdString(p.name));
        presetBox_->setItemData(presetBox_->count() - 1, QString::fromStdString(p.description),
                                Qt::ToolTipRole);
    }
    presetBox_->addItem(tr("Custom"), QString(kCustom));
    presetBox_->setItemData(presetBox_->count() - 1, tr("Every trainer option"), Qt::ToolTipRole);
    presetSummary_ = new QLabel;
    presetSummary_->setObjectName("presetSummary");
    presetSummary_->setWordWrap(true);
    presetSummary_->setStyleSheet("color: palette(dark);");
    connect(presetBox_, &QComboBox::activated, this,
            [this](int index) { setPreset(presetBox_->itemData(index).toString()); });

    customBox_ = new QWidget;
    auto* form = new QFormLayout(customBox_);
    form->setContentsMargins(0, 0, 0, 0);
    auto* netG = makeCombo({"unet_256", "unet_128"});
    auto* ngf = makeSpin(1, 512);
    auto* netD = makeCombo({"basic", "n_layers", "pixel"});
    auto* nLayers = makeSpin(1, 8);
    auto* ndf = makeSpin(1, 512);
    auto* norm = makeCombo({"batch", "instance", "none"});
    auto* dropout = new QCheckBox(tr("Dropout in the generator"));
    auto* ganMode = makeCombo({"vanilla", "lsgan"});
    auto* preprocess = makeCombo({"resize_and_crop", "crop", "scale_width", "scale_width_and_crop", "none"});
    auto* loadSize = makeSpin(16, 4096);
    auto* cropSize = makeSpin(16, 4096);
    auto* flip = new QCheckBox(tr("Random horizontal flips"));
    auto* beta1 = new QDoubleSpinBox;
    beta1->setRange(0.0, 0.999);
    beta1->setDecimals(3);
    beta1->setSingleStep(0.05);
    auto* seed = makeSpin(0, std::numeric_limits<int>::max());
    auto* threads = makeSpin(0, 64);
    threads->setToolTip(tr("Background image decoding threads"));
    auto* saveLatest = makeSpin(0, 10'000'000, 100);
    saveLatest->setSuffix(tr(" it"));
    auto* saveEpoch = makeSpin(0, 10'000);
    saveEpoch->setSuffix(tr(" epochs"));
    auto* logFreq = makeSpin(1, 100'000);
    logFreq->setSuffix(tr(" it"));
    auto* fastPath = new QCheckBox(tr("Fast transposed convolutions (CPU)"));
    fastPath->setToolTip(
        tr("Runs the generator's transposed convolutions on the fast convolution path: the "
           "same arithmetic as ConvTranspose2d, about twice as fast per step on CPU"));
    // n_layers_D means something only to the n_layers discriminator.
    connect(netD, &QComboBox::currentIndexChanged, nLayers,
            [netD, nLayers] { nLayers->setEnabled(netD->currentData().toString() == "n_layers"); });
    nLayers->setEnabled(false);

    using O = p2p::TrainOptions;
    binder_->bind("netG", netG, &O::netG);
    binder_->bind("ngf", ngf, &O::ngf);
    binder_->bind("netD", netD, &O::netD);
    binder_->bind("n_layers_D", nLayers, &O::n_layers_D);
    binder_->bind("ndf", ndf, &O::ndf);
    binder_->bind("norm", norm, &O::norm);
    binder_->bind("dropout", dropout, &O::dropout);
    binder_->bind("gan_mode", ganMode, &O::gan_mode);
    binder_->bind("preprocess", preprocess, &O::preprocess);
    binder_->bind("load_size", loadSize, &O::load_size);
    binder_->bind("crop_size", cropSize, &O::crop_size);
    binder_->bind("no_flip", flip, &O::no_flip, /*inverted=*/true);
    binder_->bind("beta1", beta1, &O::beta1);
    binder_->bind(
        "seed", seed,
        [seed](const O& o) { seed->setValue(int(std::min<uint64_t>(o.seed, uint64_t(seed->maximum())))); },
        [seed](O& o) { o.seed = uint64_t(seed->value()); });
    binder_->bind("num_threads", threads, &O::num_threads);
    binder_->bind("save_latest_freq", saveLatest, &O::save_latest_freq);
    binder_->bind("save_epoch_freq", saveEpoch, &O::save_epoch_freq);
    binder_->bind("log_freq", logFreq, &O::log_freq);
    binder_->bind("fast_path", fastPath, &O::fast_path);

    form->addRow(tr("Generator"), netG);
    form->addRow(tr("ngf"), ngf);
    form->addRow(tr("Discriminator"), netD);
    form->addRow(tr("n_layers_D"), nLayers);
    form->addRow(tr("ndf"), ndf);
    form->addRow(tr("Norm"), norm);
    form->addRow(QString(), dropout);
    form->addRow(tr("GAN loss"), ganMode);
    form->addRow(tr("Preprocess"), preprocess);
    form->addRow(tr("Load size"), loadSize);
    form->addRow(tr("Crop size"), cropSize);
    form->addRow(QString(), flip);
    form->addRow(tr("Adam β1"), beta1);
    form->addRow(tr("Seed"), seed);
    form->addRow(tr("Data threads"), threads);
    form->addRow(tr("Save latest every"), saveLatest);
    form->addRow(tr("Keep a checkpoint every"), saveEpoch);
    form->addRow(tr("Log losses every"), logFreq);
    form->addRow(QString(), fastPath);

    auto* layout = new QFormLayout(group);
    layout->addRow(tr("Preset"), presetBox_);
    layout->addRow(presetSummary_);
    layout->addRow(customBox_);
    return group;
}

QWidget* TrainOptionsForm::buildRunGroup() {
    auto* group = new QGroupBox(tr("Run"));
    directionBox_ = new QComboBox;
    directionBox_->addItem(tr("A → B"), "AtoB");
    directionBox_->addItem(tr("B → A"), "BtoA");
    directionBox_->setToolTip(
        tr("Which half is the input. Facades store photo|label: labels → photos is B → A."));
    connect(directionBox_, &QComboBox::currentIndexChanged, this,
            [this] { Q_EMIT directionChanged(directionBox_->currentData().toString()); });
    auto* epochs = makeSpin(0, 100'000);
    epochs->setToolTip(tr("Epochs at the initial learning rate"));
    auto* decayEpochs = makeSpin(0, 100'000);
    decayEpochs->setToolTip(tr("Then epochs over which the learning rate decays linearly to zero"));
    auto* epochsRow = new QHBoxLayout;
    epochsRow->addWidget(epochs);
    epochsRow->addWidget(new QLabel(tr("+ decay")));
    epochsRow->addWidget(decayEpochs);
    auto* lr = new QDoubleSpinBox;
    lr->setDecimals(6);
    lr->setRange(0.000001, 1.0);
    lr->setSingleStep(0.0001);
    auto* lambda = new QDoubleSpinBox;
    lambda->setRange(0.0, 10'000.0);
    lambda->setDecimals(1);
    lambda->setToolTip(tr("Weight of the L1 loss against the GAN loss (the paper's λ = 100)"));
    auto* batch = makeSpin(1, 1024);
    auto* device = new QComboBox;
    device->addItem(tr("Automatic"), "auto");
    device->addItem(tr("CPU"), "cpu");
    if (p2p::cudaAvailable()) device->addItem(tr("CUDA"), "cuda");
    device->setToolTip(QString::fromStdString(p2p::Device::automatic().resolved().describe()));
    auto* precision = makePrecisionBox();
    auto* computeThreads = makeSpin(0, 1024);
    computeThreads->setSpecialValueText(tr("one per core"));
    computeThreads->setToolTip(
        tr("Threads that compute each step. Another count adds up in another order, so the run records the "
           "count it used, and Resume run… restores it."));
    auto* sampleFreq = makeSpin(1, 1'000'000, 10);
    sampleFreq->setPrefix(tr("every "));
    sampleFreq->setSuffix(tr(" iterations"));
    runFolderEdit_ = new QLineEdit;
    runFolderEdit_->setPlaceholderText(tr("new folder under %1").arg(QDir::toNativeSeparators(runsFolder())));
    auto* browse = new QPushButton(tr("…"));
    browse->setMaximumWidth(32);
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Folder for the new run"));
        if (!dir.isEmpty())
            runFolderEdit_->setText(QDir(dir).filePath(QFileInfo(newRunFolder(datasetFolder_)).fileName()));
    });
    auto* runFolderRow = new QHBoxLayout;
    runFolderRow->addWidget(runFolderEdit_, 1);
    runFolderRow->addWidget(browse);

    using O = p2p::TrainOptions;
    binder_->bind("direction", directionBox_, &O::direction);
    binder_->bind("n_epochs", epochs, &O::n_epochs);
    binder_->bind("n_epochs_decay", decayEpochs, &O::n_epochs_decay);
    binder_->bind("lr", lr, &O::lr);
    binder_->bind("lambda_L1", lambda, &O::lambda_L1);
    binder_->bind("batch_size", batch, &O::batch_size);
    binder_->bind(
        "device", device, &O::device, [](const p2p::Device& d) { return d.str(); },
        [](const std::string& item) { return p2p::Device::parse(item); });
    binder_->bind(
        "precision", precision, &O::precision, [](p2p::TrainPrecision p) { return p2p::toString(p); },
        [](const std::string& item) { return p2p::trainPrecisionFromString(item); });
    binder_->bind("compute_threads", computeThreads, &O::compute_threads);
    binder_->bind("sample_freq", sampleFreq, &O::sample_freq);
    binder_->bind("run_dir", runFolderEdit_, &O::run_dir);

    auto* form = new QFormLayout(group);
    runForm_ = form;
    form->addRow(tr("Direction"), directionBox_);
    form->addRow(tr("Epochs"), epochsRow);
    form->addRow(tr("Learning rate"), lr);
    form->addRow(tr("λ (L1)"), lambda);
    form->addRow(tr("Batch size"), batch);
    form->addRow(tr("Device"), device);
    form->addRow(tr("Precision"), precision);
    form->addRow(tr("Compute threads"), computeThreads);
    form->addRow(tr("Samples"), sampleFreq);
    form->addRow(tr("Run folder"), runFolderRow);
    return group;
}

p2p::TrainOptions TrainOptionsForm::options() const {
    return binder_->read(shown_);
}

void TrainOptionsForm::setOptions(const p2p::TrainOptions& options) {
    shown_ = options;
    binder_->show(options);
    shownDirection_ = direction();
    const p2p::TrainPreset* match = p2p::matchingPreset(options);
    showPreset(match ? QString::fromStdString(match->name) : QString(kCustom));
}

bool TrainOptionsForm::setPreset(const QString& name) {
    if (name == kCustom) {
        showPreset(name);
        return true;
    }
    const p2p::TrainPreset* preset = findPreset(name);
    if (!preset) return false;
    shown_ = preset->applyTo(options());
    binder_->show(shown_);
    shownDirection_ = direction();
    showPreset(name);
    return true;
}

QString TrainOptionsForm::preset() const {
    return presetName_;
}

QString TrainOptionsForm::presetSummary() const {
    return presetSummary_->isHidden() ? QString() : presetSummary_->text();
}

void TrainOptionsForm::setDirection(const QString& direction) {
    if (directionBox_->findData(direction) < 0) return;
    shown_ = options();  // the other fields as they are, edits included
    shown_.direction = direction.toStdString();
    binder_->show(shown_);
    shownDirection_ = direction;
}

QString TrainOptionsForm::direction() const {
    return directionBox_->currentData().toString();
}

QWidget* TrainOptionsForm::takeDirectionControl() {
    if (runForm_->indexOf(directionBox_) < 0) return directionBox_;  // taken already
    const QFormLayout::TakeRowResult row = runForm_->takeRow(directionBox_);
    if (row.labelItem) {
        delete row.labelItem->widget();
        delete row.labelItem;
    }
    delete row.fieldItem;  // the layout item; the box lives on in its new place
    return directionBox_;
}

void TrainOptionsForm::onEdited() {
    if (direction() != shownDirection_) {
        shownDirection_ = direction();
        Q_EMIT directionEdited(shownDirection_);
    }
    const QString current = preset();
    if (current != kCustom) {
        const p2p::TrainOptions o = options();
        if (!findPreset(current)->matches(o)) {
            const p2p::TrainPreset* match = p2p::matchingPreset(o);
            showPreset(match ? QString::fromStdString(match->name) : QString(kCustom));
        }
    }
    Q_EMIT optionsEdited();
}

void TrainOptionsForm::showPreset(const QString& name) {
    const bool changed = name != presetName_;
    presetName_ = name;
    presetBox_->setCurrentIndex(presetBox_->findData(name));
    const p2p::TrainPreset* preset = findPreset(name);
    presetSummary_->setText(preset ? QString::fromStdString(preset->summary()) : QString());
    presetSummary_->setVisible(preset != nullptr);
    // A preset decides the model; Custom shows every option.
    customBox_->setVisible(preset == nullptr);
    if (changed) Q_EMIT presetChanged(name);
}

void TrainOptionsForm::setRunFolder(const QString& folder) {
    runFolderEdit_->setText(QDir::toNativeSeparators(folder));
}

QString TrainOptionsForm::runsFolder() {
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation)).filePath("runs");
}

QString TrainOptionsForm::newRunFolder(const QString& datasetFolder) {
    QString name = QFileInfo(QDir::fromNativeSeparators(datasetFolder)).fileName();
    if (name.isEmpty()) name = "run";
    return QDir(runsFolder()).filePath(name + "-" + QDateTime::currentDateTime().toString("yyyyMMdd-HHmmss"));
}

}  // namespace p2p::ui
