// core/eval: the evaluator's numbers are the per-pair metrics of the engine's own translations; `pix2pix eval`
// only formats them (the same numbers, exactly); progress, skipped pairs, cancelling and the gallery.

#include <QtTest/QtTest>

#include <filesystem>
#include <fstream>

#include <opencv2/imgcodecs.hpp>

#include "core/common/error.h"
#include "core/data/paired_dataset.h"
#include "core/eval/evaluator.h"
#include "core/infer/inference_engine.h"
#include "core/infer/model_input.h"
#include "core/io/image_io.h"
#include "core/io/model_io.h"
#include "core/labels/random_facade.h"
#include "core/labels/palette.h"
#include "core/nn/networks.h"
#include "tests/support/test_support.h"

using namespace p2p;
namespace fs = std::filesystem;

namespace {

struct Recorder : EvalObserver {
    int started = 0;
    std::vector<size_t> done;
    std::vector<std::string> skipped;
    size_t planned = 0;
    void onStarted(const EvalReport& r) override {
        ++started;
        planned = r.planned;
    }
    void onPair(size_t d, size_t, const EvalPair&) override { done.push_back(d); }
    void onSkipped(const SkippedFile& f) override { skipped.push_back(f.path); }
};

}  // namespace

class TestEvaluator : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    std::string model_, data_;

    EvalOptions options() const {
        EvalOptions o;
        o.model = model_;
        o.data = data_;
        o.device = Device::cpu();
        return o;
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        torch::manual_seed(5);
        UnetGenerator g(test::tinyGeneratorOptions("unet_128", Norm::Batch));
        initWeights(*g);
        SaveModelOptions save;
        save.name = "tiny-eval";
        save.direction = "BtoA";
        model_ = dir_.filePath("tiny.p2pm").toStdString();
        saveModel(model_, g, PatchDiscriminator(nullptr), save);
        data_ = dir_.filePath("data").toStdString();
        test::writeTinyAlignedSet(data_ + "/test", 5, 128, 3);
        test::writeTinyAlignedSet(data_ + "/train", 2, 128, 4);
    }

    void numbersAreTheMeanOfTheEnginesOwnMetrics() {
        const EvalReport r = evaluate(options());
        QCOMPARE(QString::fromStdString(r.split), QStringLiteral("test"));
        QCOMPARE(QString::fromStdString(r.direction), QStringLiteral("BtoA"));  // the model's
        QCOMPARE(int(r.pairs.size()), 5);
        // Independently: scan, load, translate and compare each pair.
        EngineOptions eo;
        eo.device = Device::cpu();
        eo.precision = "fp32";
        InferenceEngine engine(eo);
        engine.load(model_);
        const DatasetScan scan = scanPairedFolder(data_);
        double l1 = 0, ssim = 0;
        for (const auto& entry : scan.split("test")) {
            const ImagePair pair = loadPair(entry, scan.layout, Direction::BtoA);
            const ImageMetrics m = compareImages(engine.translate(pair.input, {}), pair.target);
            l1 += m.l1;
            ssim += m.ssim;
        }
        QVERIFY(std::abs(r.l1 - l1 / 5) < 1e-12);
        QVERIFY(std::abs(r.ssim - ssim / 5) < 1e-12);
        QCOMPARE(r.grid.rows, 5 * 128);
        QCOMPARE(r.grid.cols, 3 * 128);
    }

    void theCliPrintsTheSameNumbers() {
        const EvalReport r = evaluate(options());
        const auto cli = test::runCli({"eval", "--model", QString::fromStdString(model_), "--data",
                                       QString::fromStdString(data_), "--device", "cpu", "--json"});
        QVERIFY2(cli.exitCode == 0, qPrintable(cli.err));
        const auto j = nlohmann::json::parse(cli.out.toStdString());
        QCOMPARE(j.at("l1").get<double>(), r.l1);
        QCOMPARE(j.at("psnr").get<double>(), r.psnr);
        QCOMPARE(j.at("ssim").get<double>(), r.ssim);
        QCOMPARE(j.at("pairs").get<int>(), 5);
        QCOMPARE(r.toJson().at("l1").get<double>(), r.l1);
    }

    void observerSeesEveryPairAndTheSkippedOnes() {
        QTemporaryDir data;
        const std::string root = data.filePath("d").toStdString();
        const auto files = test::writeTinyAlignedSet(root + "/test", 4, 128, 9);
        { std::ofstream(files.at(1), std::ios::binary | std::ios::trunc) << std::string("\x89PNG\r\n\x1a\n", 8); }
        EvalOptions o = options();
        o.data = root;
        Recorder rec;
        EvalReport r;
        try {
            r = evaluate(o, &rec);
        } catch (const Error& e) {
            QFAIL(e.what());
        }
        QCOMPARE(rec.started, 1);
        const int read = int(r.pairs.size());
        QCOMPARE(int(rec.done.size()), read);
        QCOMPARE(int(r.unreadable.size() + r.skipped_by_scan.size()), 1);  // the broken PNG, at scan or at load
        QCOMPARE(int(rec.skipped.size()), int(r.unreadable.size()));
        QCOMPARE(read, 3);
    }

    void limitGalleryAndNoSplit() {
        QTemporaryDir out;
        EvalOptions o = options();
        o.limit = 2;
        o.grid_rows = 1;
        o.gallery = out.filePath("g").toStdString();
        const EvalReport r = evaluate(o);
        QCOMPARE(int(r.pairs.size()), 2);
        QCOMPARE(r.grid.rows, 128);
        QVERIFY(fs::is_regular_file(o.gallery + "/grid.png"));
        QVERIFY(fs::is_regular_file(r.gallery_index));
        QCOMPARE(int(std::distance(fs::directory_iterator(o.gallery + "/images"), fs::directory_iterator())), 6);
        // A flat folder is evaluated whole, with a note that says what that means.
        EvalOptions flat = options();
        flat.data = data_ + "/test";
        const EvalReport all = evaluate(flat);
        QCOMPARE(int(all.pairs.size()), 5);
        QVERIFY(all.split.empty());
        QCOMPARE(int(all.notes.size()), 1);
    }

    // Label consistency is the pooled confusion of segmenter(G(labels)) and segmenter(real photo) against the
    // label maps: recomputed here from the engines' own translations, it must be the same numbers.
    void labelConsistencyIsTheSegmentersConfusion() {
        QTemporaryDir tmp;
        const std::string labelData = tmp.filePath("labels").toStdString();
        // photo | label pairs, as the facades set: B is a label map in the set's colours.
        fs::create_directories(labelData + "/test");
        cv::RNG rng(3);
        for (int i = 0; i < 3; ++i) {
            cv::Mat photo(128, 128, CV_8UC3);
            rng.fill(photo, cv::RNG::UNIFORM, 0, 256);
            const cv::Mat labels =
                labelsToColour(randomFacadeLabels({128, 128}, uint64_t(i + 1)), LabelPalette::Pix2PixFacades);
            cv::Mat pair;
            cv::hconcat(photo, labels, pair);
            saveImage(labelData + "/test/" + std::to_string(i) + ".png", pair);
        }
        auto saveTiny = [&](const std::string& name, const std::string& kind, uint64_t seed) {
            torch::manual_seed(seed);
            UnetGenerator g(test::tinyGeneratorOptions("unet_128", Norm::Batch));
            initWeights(*g);
            SaveModelOptions save;
            save.name = name;
            save.direction = kind == "photo" ? "AtoB" : "BtoA";
            save.input_kind = kind;
            const std::string path = tmp.filePath(QString::fromStdString(name + ".p2pm")).toStdString();
            saveModel(path, g, PatchDiscriminator(nullptr), save);
            return path;
        };
        EvalOptions o = options();
        o.model = saveTiny("painter", "facade-labels", 11);
        o.segmenter = saveTiny("segmenter", "photo", 12);
        o.data = labelData;
        const EvalReport r = evaluate(o);
        QVERIFY(r.label_consistency);
        QCOMPARE(int(r.pairs.size()), 3);

        EngineOptions e;
        e.device = Device::cpu();
        e.precision = "fp32";
        InferenceEngine painter(e), segmenter(e);
        const ModelInfo painterInfo = painter.load(o.model);
        painter.setPreviewNorm(preferredPreviewNorm(painterInfo));
        segmenter.setPreviewNorm(preferredPreviewNorm(segmenter.load(o.segmenter)));
        TranslateOptions preview;
        preview.mode = TranslateMode::Preview;
        ClassConfusion generated(12), real(12);
        const DatasetScan scan = scanPairedFolder(labelData);
        for (const auto& entry : scan.split("test")) {
            const ImagePair pair = loadPair(entry, scan.layout, Direction::BtoA);
            const cv::Mat truth = colourToLabels(pair.input, LabelPalette::Pix2PixFacades);
            const cv::Mat photo = painter.translate(pair.input, preview);
            generated.add(colourToLabels(segmenter.translate(photo, preview), LabelPalette::Pix2PixFacades), truth);
            real.add(colourToLabels(segmenter.translate(pair.target, preview), LabelPalette::Pix2PixFacades), truth);
        }
        QCOMPARE(r.label_consistency->generated.toJson(), generated.scores().toJson());
        QCOMPARE(r.label_consistency->real.toJson(), real.scores().toJson());
        QVERIFY(r.label_consistency->generated.classes_present >= 3);
        QCOMPARE(r.toJson()["label_consistency"]["generated"]["mean_iou"].get<double>(),
                 generated.scores().mean_iou);
        QVERIFY(QString::fromStdString(r.label_consistency->protocol).contains("not comparable") ||
                QString::fromStdString(r.label_consistency->protocol).contains("incomparable"));
        bool printed = false;
        for (const auto& line : r.scoreLines()) printed |= line.find("mean class IoU") != std::string::npos;
        QVERIFY(printed);

        // A sketch model has no label consistency: refused, or a note where the caller asked for it if possible.
        EvalOptions sketch = o;
        sketch.model = saveTiny("sketcher", "edges", 13);
        QVERIFY_THROWS_EXCEPTION(Error, evaluate(sketch));
        sketch.segmenter_if_labels = true;
        const EvalReport noted = evaluate(sketch);
        QVERIFY(!noted.label_consistency);
        QCOMPARE(int(noted.notes.size()), 1);
        // A segmenter that is not a photo -> label model is refused.
        EvalOptions wrongSegmenter = o;
        wrongSegmenter.segmenter = o.model;
        QVERIFY_THROWS_EXCEPTION(Error, evaluate(wrongSegmenter));
    }

    void cancellingStopsBetweenPairs() {
        std::atomic<bool> cancel{true};
        QVERIFY_THROWS_EXCEPTION(EvalCancelled, evaluate(options(), nullptr, &cancel));
    }

    void badOptionsAreNamed_data() {
        QTest::addColumn<QString>("field");
        QTest::newRow("direction") << "direction";
        QTest::newRow("limit") << "limit";
        QTest::newRow("grid_rows") << "grid_rows";
        QTest::newRow("norm") << "norm";
    }
    void badOptionsAreNamed() {
        QFETCH(QString, field);
        EvalOptions o = options();
        if (field == "direction") o.direction = "sideways";
        if (field == "limit") o.limit = -1;
        if (field == "grid_rows") o.grid_rows = 0;
        if (field == "norm") o.norm_stats = "weird";
        try {
            o.validate();
            QFAIL("accepted");
        } catch (const Error& e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains(field, Qt::CaseInsensitive), e.what());
        }
    }
};

QTEST_GUILESS_MAIN(TestEvaluator)
#include "test_evaluator.moc"
