// The training form: every option it shows round-trips through its controls (setOptions(o); options() == o),
// each control is bound to the option it is named after and to no other, the preset box lists core's presets,
// applies them, and shows Custom once an edit leaves the chosen one.

#include <QtTest/QtTest>

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>
#include <QStandardPaths>

#include "core/train/presets.h"
#include "ui/training/train_options_binder.h"
#include "ui/training/train_options_form.h"
#include "ui/training/training_worker.h"  // TrainOptions as a QVariant

using namespace p2p;
using namespace p2p::ui;

namespace {

QString json(const TrainOptions& o) {
    return QString::fromStdString(o.toJson().dump());
}

// Every key whose value differs.
QStringList differingKeys(const TrainOptions& a, const TrainOptions& b) {
    const auto ja = a.toJson(), jb = b.toJson();
    QStringList keys;
    for (const auto& item : ja.items())
        if (item.value() != jb.at(item.key())) keys << QString::fromStdString(item.key());
    return keys;
}

// Changes what `control` shows to another value it can show.
void changeControl(QWidget* control) {
    if (auto* spin = qobject_cast<QSpinBox*>(control))
        spin->setValue(spin->value() < spin->maximum() ? spin->value() + 1 : spin->value() - 1);
    else if (auto* spin = qobject_cast<QDoubleSpinBox*>(control))
        spin->setValue(spin->value() + 10 * spin->singleStep() <= spin->maximum()
                           ? spin->value() + 10 * spin->singleStep()
                           : spin->minimum());
    else if (auto* box = qobject_cast<QCheckBox*>(control))
        box->setChecked(!box->isChecked());
    else if (auto* box = qobject_cast<QComboBox*>(control))
        box->setCurrentIndex((box->currentIndex() + 1) % box->count());
    else if (auto* edit = qobject_cast<QLineEdit*>(control))
        edit->setText(edit->text() + "/elsewhere");
}

template <typename T>
T* control(const TrainOptionsForm& form, const char* option) {
    return form.findChild<T*>(QString::fromLatin1(option));
}

}  // namespace

class TestTrainOptionsForm : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void optionsRoundTrip_data() {
        QTest::addColumn<TrainOptions>("options");
        QTest::addColumn<QString>("preset");
        QTest::newRow("the reference's defaults") << TrainOptions{} << "paper";
        for (const TrainPreset& p : trainPresets())
            QTest::newRow(qPrintable("preset " + QString::fromStdString(p.name)))
                << p.applyTo(TrainOptions{}) << QString::fromStdString(p.name);

        TrainOptions every;  // every field off its default, those without a control too
        every.dataroot = "/data/facades";
        every.direction = "BtoA";
        every.preprocess = "scale_width_and_crop";
        every.load_size = 300;
        every.crop_size = 192;
        every.no_flip = true;
        every.batch_size = 8;
        every.num_threads = 5;
        every.pair_resize = true;
        every.netG = "unet_128";
        every.netD = "n_layers";
        every.n_layers_D = 5;
        every.ngf = 24;
        every.ndf = 40;
        every.norm = "instance";
        every.dropout = false;
        every.upsample = p2p::Upsample::Resize;
        every.init_gain = 0.03;
        every.gan_mode = "lsgan";
        every.lambda_L1 = 12.5;
        every.lr = 0.000123;
        every.beta1 = 0.9;
        every.n_epochs = 7;
        every.n_epochs_decay = 3;
        every.seed = 123456789;
        every.device = Device::cpu();
        every.compute_threads = 3;
        every.precision = p2p::TrainPrecision::BF16;
        every.fast_path = false;
        every.run_dir = "/runs/my run";
        every.save_epoch_freq = 2;
        every.keep_checkpoints = 4;
        every.snapshot_half = true;
        every.save_latest_freq = 250;
        every.sample_freq = 40;
        every.log_freq = 3;
        QTest::newRow("every field changed") << every << TrainOptionsForm::kCustom;

        TrainOptions zeros = trainPreset("tiny").applyTo(TrainOptions{});
        zeros.n_epochs_decay = 0;  // leaves the preset
        zeros.save_latest_freq = 0;
        zeros.save_epoch_freq = 0;
        zeros.compute_threads = 0;
        zeros.num_threads = 0;
        zeros.lambda_L1 = 0;
        zeros.seed = 0;
        zeros.netD = "pixel";
        QTest::newRow("zeros and the pixel discriminator") << zeros << TrainOptionsForm::kCustom;

        TrainOptions presetAndMore = trainPreset("studio").applyTo(TrainOptions{});
        presetAndMore.netD = "n_layers";  // a preset sets the architecture's size, not the discriminator
        presetAndMore.batch_size = 4;
        presetAndMore.direction = "BtoA";
        QTest::newRow("a preset with other fields changed") << presetAndMore << "studio";
    }
    void optionsRoundTrip() {
        QFETCH(TrainOptions, options);
        QFETCH(QString, preset);
        TrainOptionsForm form;
        QSignalSpy edited(&form, &TrainOptionsForm::optionsEdited);
        form.setOptions(options);
        QCOMPARE(json(form.options()), json(options));
        QCOMPARE(form.preset(), preset);
        QCOMPARE(edited.count(), 0);  // showing is not editing
        // n_layers_D means something only to the n_layers discriminator.
        QCOMPARE(control<QSpinBox>(form, "n_layers_D")->isEnabled(), options.netD == "n_layers");
    }

    // Each control changes the option it is named after, and only that one; the table misses no control.
    void eachControlIsBoundToItsOption() {
        TrainOptionsForm form;
        const QList<QWidget*> controls = form.binder()->controls();
        QCOMPARE(controls.size(), 30);
        QSignalSpy edited(form.binder(), &TrainOptionsBinder::edited);
        for (QWidget* c : controls) {
            const TrainOptions before = form.options();
            const int editsBefore = edited.count();
            changeControl(c);
            QCOMPARE(differingKeys(before, form.options()), QStringList{c->objectName()});
            QCOMPARE(edited.count(), editsBefore + 1);
        }
        // The fields without a control are the ones the panel's other parts own or the CLI alone sets.
        QStringList bound;
        for (QWidget* c : controls) bound << c->objectName();
        QStringList unbound;
        TrainOptions everyKey;  // upsample is in JSON only when not the reference's
        everyKey.upsample = p2p::Upsample::Resize;
        const nlohmann::json all = everyKey.toJson();
        for (const auto& item : all.items())
            if (!bound.contains(QString::fromStdString(item.key())))
                unbound << QString::fromStdString(item.key());
        unbound.sort();
        QCOMPARE(unbound,
                 (QStringList{"dataroot", "init_gain", "keep_checkpoints", "pair_resize", "snapshot_half",
                              "upsample"}));
    }

    void thePresetBoxListsCoresPresets() {
        TrainOptionsForm form;
        auto* box = form.findChild<QComboBox*>();  // the first: the preset box
        QVERIFY(box);
        QCOMPARE(box->count(), int(trainPresets().size()) + 1);
        for (int i = 0; i < int(trainPresets().size()); ++i) {
            const TrainPreset& p = trainPresets()[size_t(i)];
            QCOMPARE(box->itemText(i), QString::fromStdString(p.title));
            QCOMPARE(box->itemData(i).toString(), QString::fromStdString(p.name));
            QCOMPARE(box->itemData(i, Qt::ToolTipRole).toString(), QString::fromStdString(p.description));
        }
        QCOMPARE(box->itemText(box->count() - 1), QString("Custom"));
        QCOMPARE(box->itemData(box->count() - 1).toString(), QString(TrainOptionsForm::kCustom));
    }

    void choosingAPresetAppliesIt_data() {
        QTest::addColumn<QString>("name");
        for (const TrainPreset& p : trainPresets())
            QTest::newRow(p.name.c_str()) << QString::fromStdString(p.name);
    }
    void choosingAPresetAppliesIt() {
        QFETCH(QString, name);
        TrainOptionsForm form;
        TrainOptions custom;
        custom.ngf = 24;
        custom.netG = "unet_128";
        custom.n_epochs = 3;
        custom.batch_size = 2;
        custom.lr = 0.0005;
        form.setOptions(custom);
        QCOMPARE(form.preset(), QString(TrainOptionsForm::kCustom));
        QSignalSpy changed(&form, &TrainOptionsForm::presetChanged);
        QSignalSpy edited(&form, &TrainOptionsForm::optionsEdited);

        // As a user does: the box's choice.
        auto* box = form.findChild<QComboBox*>();
        const int index = box->findData(name);
        box->setCurrentIndex(index);
        Q_EMIT box->activated(index);
        const TrainPreset& preset = trainPreset(name.toStdString());
        QCOMPARE(json(form.options()), json(preset.applyTo(custom)));  // its fields, nothing else
        QCOMPARE(form.preset(), name);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed.first().at(0).toString(), name);
        QCOMPARE(edited.count(), 0);
        QCOMPARE(form.presetSummary(), QString::fromStdString(preset.summary()));

        // Custom keeps the options and shows every field.
        QVERIFY(form.setPreset(TrainOptionsForm::kCustom));
        QCOMPARE(json(form.options()), json(preset.applyTo(custom)));
        QCOMPARE(form.presetSummary(), QString());
        QCOMPARE(changed.count(), 2);
        QVERIFY(!form.setPreset("huge"));  // no such preset: nothing changes
        QCOMPARE(form.preset(), QString(TrainOptionsForm::kCustom));
    }

    void anEditThatLeavesThePresetShowsCustom_data() {
        QTest::addColumn<QString>("option");
        QTest::addColumn<bool>("leavesThePreset");
        QTest::newRow("epochs (the preset's)") << "n_epochs" << true;
        QTest::newRow("decay epochs (the preset's)") << "n_epochs_decay" << true;
        QTest::newRow("ngf (the preset's)") << "ngf" << true;
        QTest::newRow("crop size (the preset's)") << "crop_size" << true;
        QTest::newRow("batch size (not the preset's)") << "batch_size" << false;
        QTest::newRow("seed (not the preset's)") << "seed" << false;
        QTest::newRow("direction (not the preset's)") << "direction" << false;
    }
    void anEditThatLeavesThePresetShowsCustom() {
        QFETCH(QString, option);
        QFETCH(bool, leavesThePreset);
        TrainOptionsForm form;
        QVERIFY(form.setPreset("tiny"));
        auto* edited = form.findChild<QWidget*>(option);
        QVERIFY(edited);
        QSignalSpy changed(&form, &TrainOptionsForm::presetChanged);
        QSignalSpy edits(&form, &TrainOptionsForm::optionsEdited);
        changeControl(edited);
        QCOMPARE(edits.count(), 1);
        QCOMPARE(form.preset(), leavesThePreset ? QString(TrainOptionsForm::kCustom) : QString("tiny"));
        QCOMPARE(changed.count(), leavesThePreset ? 1 : 0);
        QCOMPARE(matchingPreset(form.options()) == &trainPreset("tiny"), !leavesThePreset);
        // Custom shows the model's fields; a preset hides them behind its summary.
        QCOMPARE(form.findChild<QWidget*>("ngf")->isVisibleTo(&form), leavesThePreset);
        // Options that match a preset again show it.
        form.setOptions(trainPreset("tiny").applyTo(form.options()));
        QCOMPARE(form.preset(), QString("tiny"));
    }

    void newRunFoldersAreNamedAfterTheirData() {
        const QString folder = TrainOptionsForm::newRunFolder("/data/facades");
        QVERIFY2(folder.startsWith(TrainOptionsForm::runsFolder() + "/facades-"), qPrintable(folder));
        QVERIFY(TrainOptionsForm::newRunFolder({}).startsWith(TrainOptionsForm::runsFolder() + "/run-"));
        TrainOptionsForm form;
        form.setRunFolder("/runs/a");
        QCOMPARE(form.options().run_dir, std::string("/runs/a"));
        form.setRunFolder({});
        QCOMPARE(form.options().run_dir, std::string());
    }
};

QTEST_MAIN(TestTrainOptionsForm)
#include "test_train_options_form.moc"
