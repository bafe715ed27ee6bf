// Issue 8: the bad-input corpus (tests/support/bad_inputs.h) through every consumer: the dataset scan and
// loader (in process), and `pix2pix train`, `pix2pix eval` and `pix2pix translate` as child processes. Each
// case must give a message naming the file and the reason, end as documented (docs/RELIABILITY.md), never
// crash, and leave the valid files of the same folder training. The studio's open action gets the same
// corpus in tests/ui/test_ui_corpus.cpp.

#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "core/common/error.h"
#include "core/data/paired_dataset.h"
#include "core/io/image_io.h"
#include "tests/core/reliability/reliability_support.h"
#include "tests/support/bad_inputs.h"
#include "tests/support/test_support.h"

namespace fs = std::filesystem;
using namespace p2p;
using namespace p2p::test;

namespace {

QString q(const std::string& s) {
    return QString::fromStdString(s);
}

// The smallest training the CLI does: unet_128 at ngf/ndf 8, everything resized to 128, one epoch.
QStringList tinyTrainFlags(const QString& data, const QString& run) {
    return {"train",
            "--data",
            data,
            "--run",
            run,
            "--netG",
            "unet_128",
            "--ngf",
            "8",
            "--ndf",
            "8",
            "--preprocess",
            "resize_and_crop",
            "--load_size",
            "128",
            "--crop_size",
            "128",
            "--n_epochs",
            "1",
            "--n_epochs_decay",
            "0",
            "--num_threads",
            "1",
            "--threads",
            "1",
            "--sample_freq",
            "0",
            "--log_freq",
            "1",
            "--device",
            "cpu",
            "--seed",
            "1"};
}

void writeImage(const QString& path, const cv::Mat& image) {
    QDir().mkpath(QFileInfo(path).absolutePath());
    writeBytes(path.toStdString(), encodeImage(".png", image));
}

}  // namespace

class TestReliabilityCorpus : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;
    std::vector<BadInput> corpus_ = badInputCorpus();
    QString mixed_;  // ROOT/train and ROOT/test: valid pairs plus every case of the corpus
    QString model_;
    ChildRun train_, eval_, evalJson_, translate_;

    QString inMixed(const QString& split, const BadInput& c) const {
        return mixed_ + "/" + split + "/" + q(c.name);
    }
    const BadInput& row() {
        QFETCH(int, index);
        return corpus_.at(static_cast<size_t>(index));
    }
    void corpusRows() {
        QTest::addColumn<int>("index");
        for (size_t i = 0; i < corpus_.size(); ++i) QTest::newRow(corpus_[i].id.c_str()) << int(i);
    }
    int countInDataset(InDataset where) const {
        int n = 0;
        for (const auto& c : corpus_) n += c.inDataset == where;
        return n;
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        QVERIFY2(!cliPath().isEmpty(), "the pix2pix CLI is not built (set P2P_CLI)");
        mixed_ = dir_.filePath("mixed");
        unsigned seed = 100;
        for (const QString split : {"train", "test"}) {
            QVERIFY(QDir().mkpath(mixed_ + "/" + split));
            const int valid = split == "train" ? 2 : 1;
            for (int i = 0; i < valid; ++i)
                writeBytes((mixed_ + "/" + split + QString("/valid-%1.png").arg(i)).toStdString(),
                           validPairPng(seed++));
            for (const auto& c : corpus_) writeBytes(inMixed(split, c).toStdString(), c.bytes);
        }
        // One training, two evaluations and one translation over the whole corpus; each row checks its file.
        train_ = runPix2pix(tinyTrainFlags(mixed_, dir_.filePath("run")));
        model_ = dir_.filePath("run/model.p2pm");
        eval_ = runPix2pix({"eval", "--model", model_, "--data", mixed_, "--gallery",
                            dir_.filePath("gallery"), "--device", "cpu"});
        evalJson_ = runPix2pix({"eval", "--model", model_, "--data", mixed_, "--json", "--device", "cpu"});
        translate_ = runPix2pix({"translate", "--model", model_, "--input", mixed_ + "/test", "--output",
                                 dir_.filePath("translated"), "--device", "cpu"});
    }

    // ---- the whole corpus in one folder: valid files still train, and every bad one is named

    void validFilesStillTrain() {
        P2P_EXPECT_EXIT(train_, 0);
        QVERIFY(QFileInfo::exists(model_));
        // Pairs: the valid ones, the converted ones, and those only decoding finds bad (skipped then).
        const int pairs = 2 + countInDataset(InDataset::Used) + countInDataset(InDataset::RefusedOnLoad);
        QVERIFY2(train_.out.contains(QString("training pairs: %1 ").arg(pairs)), qPrintable(train_.out));
        QVERIFY2(train_.out.contains("non-image file(s) ignored"), qPrintable(train_.out));
        // The steps that ran: one per pair that decodes.
        std::ifstream log((dir_.filePath("run/losses.jsonl")).toStdString());
        int64_t last = 0;
        for (std::string line; std::getline(log, line);)
            if (!line.empty()) last = nlohmann::json::parse(line).at("iteration").get<int64_t>();
        QCOMPARE(last, int64_t(2 + countInDataset(InDataset::Used)));
    }

    void validFilesStillEvaluate() {
        P2P_EXPECT_EXIT(eval_, 0);
        P2P_EXPECT_EXIT(evalJson_, 0);
        const auto j = nlohmann::json::parse(evalJson_.out.toStdString());
        QCOMPARE(j.at("pairs").get<int>(), 1 + countInDataset(InDataset::Used));
        QVERIFY(std::isfinite(j.at("l1").get<double>()));
        QVERIFY(QFileInfo::exists(dir_.filePath("gallery/index.html")));
        QVERIFY(QFileInfo::exists(dir_.filePath("gallery/grid.png")));
    }

    void datasetScan_data() { corpusRows(); }
    void datasetScan() {
        const BadInput& c = row();
        const DatasetScan scan = scanPairedFolder(mixed_.toStdString());
        const std::string file = inMixed("train", c).toStdString();
        const auto& pairs = scan.split("train");
        const auto pair =
            std::find_if(pairs.begin(), pairs.end(), [&](const PairEntry& p) { return p.a_path == file; });
        const auto skipped = std::find_if(scan.skipped.begin(), scan.skipped.end(),
                                          [&](const SkippedFile& s) { return s.path == file; });
        switch (c.inDataset) {
            case InDataset::RefusedByScan:
                QVERIFY2(skipped != scan.skipped.end(), "not in the scan's skipped list");
                QVERIFY2(q(skipped->reason).contains(q(c.reason)), skipped->reason.c_str());
                QVERIFY(pair == pairs.end());
                QVERIFY2(q(scan.summary()).contains(q(file)), "the summary does not name the file");
                break;
            case InDataset::RefusedOnLoad:
                QVERIFY2(pair != pairs.end(), "the header is fine: the scan keeps it");
                try {
                    loadPair(*pair, scan.layout, Direction::AtoB);
                    QFAIL("a corrupt file decoded");
                } catch (const Error& e) {
                    QVERIFY2(q(e.what()).contains(q(file)) && q(e.what()).contains(q(c.reason)), e.what());
                }
                break;
            case InDataset::Used: {
                QVERIFY2(pair != pairs.end(),
                         skipped == scan.skipped.end() ? "missing" : skipped->reason.c_str());
                const ImagePair loaded = loadPair(*pair, scan.layout, Direction::AtoB);
                QCOMPARE(loaded.input.type(), CV_8UC3);
                QCOMPARE(loaded.target.type(), CV_8UC3);
                QCOMPARE(loaded.input.size(), loaded.target.size());
                if (!c.note.empty()) {
                    bool noted = false;
                    for (const auto& n : loaded.notes) noted = noted || q(n).contains(q(c.note));
                    QVERIFY2(noted, "the conversion is not noted");
                }
                break;
            }
            case InDataset::Ignored:
                QVERIFY(pair == pairs.end());
                QVERIFY(skipped == scan.skipped.end());
                break;
        }
    }

    void train_data() { corpusRows(); }
    void train() {
        const BadInput& c = row();
        QVERIFY2(train_.clean(), qPrintable(train_.describe()));
        const QString file = inMixed("train", c);
        switch (c.inDataset) {
            case InDataset::RefusedByScan:
                QVERIFY2(hasLineWith(train_.out, {file, q(c.reason)}), qPrintable(train_.out));
                break;
            case InDataset::RefusedOnLoad:
                QVERIFY2(hasLineWith(train_.out, {"skipped", file, q(c.reason)}), qPrintable(train_.out));
                break;
            case InDataset::Used:
            case InDataset::Ignored:
                QVERIFY2(!train_.all().contains(file), qPrintable(train_.all()));
                break;
        }
    }

    void eval_data() { corpusRows(); }
    void eval() {
        const BadInput& c = row();
        QVERIFY2(eval_.clean(), qPrintable(eval_.describe()));
        const QString file = inMixed("test", c);
        const auto j = nlohmann::json::parse(evalJson_.out.toStdString());
        bool inJson = false;
        for (const auto& s : j.at("skipped"))
            if (q(s.at("path").get<std::string>()) == file)
                inJson = q(s.at("reason").get<std::string>()).contains(q(c.reason));
        switch (c.inDataset) {
            case InDataset::RefusedByScan:
                QVERIFY2(hasLineWith(eval_.out, {file, q(c.reason)}), qPrintable(eval_.out));
                QVERIFY2(inJson, "not in the JSON's skipped list with its reason");
                break;
            case InDataset::RefusedOnLoad:
                QVERIFY2(hasLineWith(eval_.err, {"skipped", file, q(c.reason)}), qPrintable(eval_.err));
                QVERIFY2(hasLineWith(eval_.out, {file, q(c.reason)}), qPrintable(eval_.out));
                QVERIFY2(inJson, "not in the JSON's skipped list with its reason");
                break;
            case InDataset::Used: {
                QFile html(dir_.filePath("gallery/index.html"));
                QVERIFY(html.open(QIODevice::ReadOnly));
                QVERIFY2(QString::fromUtf8(html.readAll()).contains(QFileInfo(q(c.name)).completeBaseName()),
                         "the pair is not in the gallery");
                break;
            }
            case InDataset::Ignored:
                QVERIFY(!eval_.all().contains(file));
                break;
        }
    }

    // translate over a folder: every file is tried; a bad one is named with its reason and the rest written.
    void translateFolder_data() { corpusRows(); }
    void translateFolder() {
        const BadInput& c = row();
        QVERIFY2(translate_.clean(), qPrintable(translate_.describe()));
        QCOMPARE(translate_.exitCode, 1);  // some files failed (documented), the others were written
        const QString file = inMixed("test", c);
        const QString output =
            dir_.filePath("translated/") + QFileInfo(q(c.name)).completeBaseName() + ".png";
        if (c.inDataset == InDataset::Ignored) {  // not an image extension: not picked up
            QVERIFY(!translate_.err.contains(file));
            QVERIFY(!QFileInfo::exists(output));
        } else if (!c.opensAlone) {
            QVERIFY2(hasLineWith(translate_.err, {"error:", file, q(c.reason)}), qPrintable(translate_.err));
            QVERIFY(!QFileInfo::exists(output));
        } else {
            QVERIFY2(QFileInfo::exists(output), qPrintable(translate_.err));
            const cv::Mat in = loadImage(file.toStdString()).bgr;
            const cv::Mat out = loadImage(output.toStdString()).bgr;
            QCOMPARE(out.size(), in.size());
            if (!c.note.empty())
                QVERIFY2(hasLineWith(translate_.err, {file, q(c.note)}), qPrintable(translate_.err));
        }
    }

    // translate of one file: exit 1 with the reason for a bad one, 0 and a note for a converted one.
    void translateOneFile_data() {
        QTest::addColumn<int>("index");
        for (size_t i = 0; i < corpus_.size(); ++i)
            if (!(corpus_[i].inDataset == InDataset::Used &&
                  corpus_[i].note.empty()))  // plain valid files: above
                QTest::newRow(corpus_[i].id.c_str()) << int(i);
    }
    void translateOneFile() {
        const BadInput& c = row();
        const QString file = inMixed("test", c);
        const ChildRun r = runPix2pix({"translate", "--model", model_, "--input", file, "--output",
                                       dir_.filePath("one/") + QTest::currentDataTag(), "--device", "cpu"});
        if (c.opensAlone) {
            P2P_EXPECT_EXIT(r, 0);
            if (!c.note.empty()) QVERIFY2(hasLineWith(r.err, {file, q(c.note)}), qPrintable(r.err));
        } else {
            P2P_EXPECT_EXIT(r, 1);
            QVERIFY2(hasLineWith(r.err, {"error:", file, q(c.reason)}), qPrintable(r.err));
        }
    }

    // A PNG that claims 100000x100000 is refused from its header: the message says so, and the child (capped
    // at 8 GiB of address space) never tried the 30 GB allocation a trusting decoder would make.
    void hugeHeaderIsRefusedBeforeDecoding() {
        const QString file = dir_.filePath("alone/huge.png");
        QDir().mkpath(dir_.filePath("alone"));
        writeBytes(file.toStdString(), craftPngClaiming(100000, 100000));
        try {
            readImageHeader(file.toStdString());
            QFAIL("the header was accepted");
        } catch (const Error& e) {
            QVERIFY2(q(e.what()).contains("refused before decoding"), e.what());
        }
        const ChildRun r = runPix2pix({"translate", "--model", model_, "--input", file, "--output",
                                       dir_.filePath("alone-out"), "--device", "cpu"});
        P2P_EXPECT_EXIT(r, 1);
        QVERIFY2(hasLineWith(r.err, {file, "100000x100000", "refused before decoding"}), qPrintable(r.err));
    }

    // ---- folder-level cases: each through the scan, train, eval and translate

    void folderProblems_data() {
        QTest::addColumn<QString>("kind");
        for (const char* kind :
             {"empty folder", "missing path", "path is a file", "folder without read permission",
              "file without read permission", "unpaired names", "every name unpaired",
              "A and B differ in size", "only undecodable files"})
            QTest::newRow(kind) << QString(kind);
    }
    void folderProblems() {
        QFETCH(QString, kind);
        const QString root = dir_.filePath("folders/" + QString(kind).replace(' ', '-'));
        const cv::Mat half = noiseImage(16, 16);
        struct Expect {
            QStringList scanError;  // empty: the scan succeeds
            QString split = "train";
            int train = 0, eval = 0, translate = 0;
            QStringList trainLine, evalLine, translateLine;  // parts of one line of the output
            QString translateInput;
        } x;
        bool locked = false;
        QString lockedPath;

        if (kind == "empty folder") {
            QVERIFY(QDir().mkpath(root));
            x.scanError = {root, "no usable image pairs", "the folder has no image files"};
            x.train = x.eval = 1;
            x.trainLine = x.evalLine = {"error:", root, "no usable image pairs"};
            x.translate = 1;
            x.translateLine = {"error:", root, "holds no images"};
            x.translateInput = root;
        } else if (kind == "missing path") {
            x.scanError = {root, "does not exist"};
            x.train = x.eval = 1;
            x.trainLine = x.evalLine = {"error:", root, "does not exist"};
            x.translate = 2;  // --input must exist: a usage error
            x.translateLine = {root};
            x.translateInput = root;
        } else if (kind == "path is a file") {
            writeImage(root + ".png", noiseImage(32, 16));
            x.scanError = {root + ".png", "is not a folder"};
            x.train = x.eval = 1;
            x.trainLine = x.evalLine = {"error:", root + ".png", "is not a folder"};
            x.translate = 0;  // translate takes a single image
            x.translateInput = root + ".png";
        } else if (kind == "folder without read permission") {
            writeImage(root + "/train/1.png", noiseImage(32, 16));
            if (!permissionsAreEnforced(dir_.path()))
                P2P_SKIP_UNLESS_REQUIRED("P2P_TESTS_REQUIRE_UNPRIVILEGED",
                                         QStringLiteral("running as root: permissions are not enforced, a chmod 000 folder stays readable"));
            lockedPath = root;
            x.scanError = {root, "cannot read the folder", "Permission denied"};
            x.train = x.eval = x.translate = 1;
            x.trainLine = x.evalLine = x.translateLine = {"error:", root, "Permission denied"};
            x.translateInput = root;
        } else if (kind == "file without read permission") {
            writeImage(root + "/train/1.png", noiseImage(32, 16));
            writeImage(root + "/train/2.png", noiseImage(32, 16, CV_8UC3, 2));
            writeImage(root + "/train/locked.png", noiseImage(32, 16, CV_8UC3, 3));
            if (!permissionsAreEnforced(dir_.path()))
                P2P_SKIP_UNLESS_REQUIRED("P2P_TESTS_REQUIRE_UNPRIVILEGED",
                                         QStringLiteral("running as root: permissions are not enforced, a chmod 000 file stays readable"));
            lockedPath = root + "/train/locked.png";
            x.trainLine = x.evalLine = {root + "/train/locked.png", "Permission denied"};
            x.translate = 1;
            x.translateLine = {"error:", root + "/train/locked.png", "Permission denied"};
            x.translateInput = root + "/train";
        } else if (kind == "unpaired names") {
            for (const char* n : {"1", "2", "3"}) writeImage(root + "/A/train/" + n + ".png", half);
            for (const char* n : {"1", "2", "4"}) writeImage(root + "/B/train/" + n + ".png", half);
            x.trainLine = x.evalLine = {root + "/A/train/3.png", "unpaired: no file named 3.*"};
            x.translateInput = root + "/A/train";
        } else if (kind == "every name unpaired") {
            writeImage(root + "/A/1.png", half);
            writeImage(root + "/B/2.png", half);
            x.scanError = {root, "no usable image pairs", "unpaired"};
            x.split = "";
            x.train = x.eval = 1;
            x.trainLine = x.evalLine = {"error:", root, "no usable image pairs"};
            x.translateInput = root + "/A";
        } else if (kind == "A and B differ in size") {
            for (const char* n : {"1", "2", "3"}) writeImage(root + "/A/train/" + n + ".png", half);
            for (const char* n : {"1", "2"}) writeImage(root + "/B/train/" + n + ".png", half);
            writeImage(root + "/B/train/3.png", noiseImage(24, 16));
            x.trainLine = x.evalLine = {root + "/A/train/3.png", "A is 16x16 but B", "is 24x16"};
            x.translateInput = root + "/B/train";
        } else if (kind == "only undecodable files") {
            // Whole files whose pixel data is damaged: only decoding finds them (cut files the scan lists).
            QVERIFY(QDir().mkpath(root + "/train"));
            for (const char* n : {"a", "b"})
                writeBytes((root + "/train/" + n + ".png").toStdString(), damagedPng());
            x.train = x.eval = 1;
            x.trainLine = {"error:", "none of the 2 training pairs", root};
            x.evalLine = {"error:", "none of the 2 pairs", root, "cannot decode the PNG data"};
            x.translate = 1;
            x.translateLine = {"error:", root + "/train/a.png", "cannot decode the PNG data"};
            x.translateInput = root + "/train";
        }
        if (!lockedPath.isEmpty()) {
            QVERIFY(QFile::setPermissions(lockedPath, QFileDevice::Permissions()));
            locked = true;
        }
        auto unlock = qScopeGuard([&] {
            if (locked)
                QFile::setPermissions(
                    lockedPath, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
        });
        const QString data = kind == "path is a file" ? root + ".png" : root;

        // The scan (core).
        try {
            const DatasetScan scan = scanPairedFolder(data.toStdString());
            QVERIFY2(x.scanError.isEmpty(), qPrintable("the scan accepted it:\n" + q(scan.summary())));
            if (!x.trainLine.isEmpty() && x.train == 0)
                QVERIFY2(hasLineWith(q(scan.summary()), {x.trainLine.at(0), x.trainLine.at(1)}),
                         qPrintable(q(scan.summary())));
        } catch (const Error& e) {
            QVERIFY2(!x.scanError.isEmpty(), e.what());
            for (const QString& part : x.scanError) QVERIFY2(q(e.what()).contains(part), e.what());
        }

        // pix2pix train: the valid pairs train, the problem is named; or a clear error.
        const ChildRun train = runPix2pix(tinyTrainFlags(data, root + "-run"));
        P2P_EXPECT_EXIT(train, x.train);
        QVERIFY2(hasLineWith(train.all(), x.trainLine), qPrintable(train.describe()));
        if (x.train == 0) QVERIFY(QFileInfo::exists(root + "-run/model.p2pm"));

        // pix2pix eval.
        QStringList evalArgs{"eval", "--model", model_, "--data", data, "--device", "cpu"};
        if (!x.split.isEmpty()) evalArgs << "--split" << x.split;
        const ChildRun eval = runPix2pix(evalArgs);
        P2P_EXPECT_EXIT(eval, x.eval);
        QVERIFY2(hasLineWith(eval.all(), x.evalLine), qPrintable(eval.describe()));

        // pix2pix translate over the folder (or the path as given).
        const ChildRun translate = runPix2pix({"translate", "--model", model_, "--input", x.translateInput,
                                               "--output", root + "-translated", "--device", "cpu"});
        P2P_EXPECT_EXIT(translate, x.translate);
        if (!x.translateLine.isEmpty())
            QVERIFY2(hasLineWith(translate.all(), x.translateLine), qPrintable(translate.describe()));
    }
};

QTEST_GUILESS_MAIN(TestReliabilityCorpus)
#include "test_reliability_corpus.moc"
