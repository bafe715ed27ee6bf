// Presets live in core: `pix2pix train --preset` and the training panel apply the same values, and flags
// given beside a preset win.

#include <QtTest/QtTest>

#include <fstream>
#include <set>

#include "core/common/error.h"
#include "core/train/presets.h"
#include "core/train/run_folder.h"
#include "tests/core/train/train_test_helpers.h"

using namespace p2p;
using namespace p2p::test;

class TestPresets : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void everyPresetIsAValidRunAndMatchesItself() {
        std::set<std::string> names;
        for (const TrainPreset& p : trainPresets()) {
            QVERIFY2(names.insert(p.name).second, p.name.c_str());
            QVERIFY(!p.title.empty() && !p.description.empty());
            TrainOptions o = p.applyTo(tinyTrainOptions("/data", "/run"));
            o.preprocess = "resize_and_crop";
            o.validate();
            QVERIFY(p.matches(o));
            QCOMPARE(matchingPreset(o), &p);
            QCOMPARE(&trainPreset(p.name), &p);
            QVERIFY(QString::fromStdString(p.summary()).contains(QString::fromStdString(p.netG)));
            // Only what a preset sets changes.
            QCOMPARE(o.seed, uint64_t(7));
            QCOMPARE(o.dataroot, std::string("/data"));
        }
        QVERIFY(names.count("tiny") && names.count("paper"));
        QCOMPARE(trainPreset("paper").ngf, 64);  // the reference's defaults
        QCOMPARE(trainPreset("paper").n_epochs + trainPreset("paper").n_epochs_decay, 200);
    }

    void customSettingsMatchNoPreset() {
        TrainOptions o = trainPreset("tiny").applyTo({});
        o.ngf = 48;
        QVERIFY(matchingPreset(o) == nullptr);
    }

    void unknownNamesListTheKnownOnes() {
        try {
            trainPreset("huge");
            QFAIL("accepted an unknown preset");
        } catch (const Error& e) {
            const QString m = QString::fromUtf8(e.what());
            QVERIFY2(m.contains("huge") && m.contains("tiny") && m.contains("paper"), e.what());
        }
    }

    void theCliAppliesAPresetAndFlagsBesideItWin() {
        QTemporaryDir dir;
        const QString data = QString::fromStdString(writeTinyTrainSet(dir, 2));
        const QString run = dir.filePath("run");
        const auto r = runCli({"train", "--data", data, "--run", run, "--preset", "tiny", "--ngf", "8", "--ndf", "8",
                               "--n_epochs", "1", "--n_epochs_decay", "0", "--threads", "1"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err + r.out));
        QVERIFY2(r.out.contains("preset:         tiny (with the flags given beside it)"), qPrintable(r.out));
        const TrainOptions o = RunFolder(run.toStdString()).readOptions();
        const TrainPreset& tiny = trainPreset("tiny");
        QCOMPARE(o.netG, tiny.netG);
        QCOMPARE(o.load_size, tiny.load_size);
        QCOMPARE(o.crop_size, tiny.crop_size);
        QCOMPARE(o.ngf, 8);
        QCOMPARE(o.ndf, 8);
        QCOMPARE(o.n_epochs, 1);
        QCOMPARE(o.n_epochs_decay, 0);

        const auto bad = runCli({"train", "--data", data, "--run", dir.filePath("r2"), "--preset", "huge"});
        QVERIFY(bad.exitCode != 0);
        QVERIFY2(bad.err.contains("tiny"), qPrintable(bad.err));
        const auto withResume = runCli({"train", "--resume", run, "--preset", "tiny"});
        QVERIFY(withResume.exitCode != 0);
        QVERIFY2(withResume.err.contains("--preset"), qPrintable(withResume.err));
    }
};

QTEST_GUILESS_MAIN(TestPresets)
#include "test_presets.moc"
