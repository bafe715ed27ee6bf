#include <QtTest/QtTest>

#include <filesystem>
#include <fstream>

#include "core/common/error.h"
#include "core/io/model_io.h"
#include "tests/support/test_support.h"

using namespace p2p;

class TestModelFile : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void roundTripGivesIdenticalOutputs_data() {
        QTest::addColumn<bool>("half");
        QTest::addColumn<bool>("withD");
        QTest::newRow("fp32 G+D") << false << true;
        QTest::newRow("fp32 G only") << false << false;
        QTest::newRow("fp16 G+D") << true << true;
    }
    void roundTripGivesIdenticalOutputs() {
        QFETCH(bool, half);
        QFETCH(bool, withD);
        QTemporaryDir dir;
        torch::manual_seed(3);
        UnetGenerator g(test::tinyGeneratorOptions("unet_128", Norm::Batch));
        initWeights(*g);
        PatchDiscriminator d{nullptr};
        if (withD) {
            DiscriminatorOptions dopt;
            dopt.ndf = 8;
            d = PatchDiscriminator(dopt);
            initWeights(*d);
        }
        // Non-trivial running statistics.
        {
            torch::NoGradGuard noGrad;
            g->train();
            g->forward(torch::randn({2, 3, 128, 128}));
        }
        if (half) {  // the saved model is the fp16-rounded one
            torch::NoGradGuard noGrad;
            for (auto& [k, v] : stateDictOf(*g))
                if (v.is_floating_point()) v.copy_(v.to(torch::kFloat16).to(torch::kFloat32));
        }
        SaveModelOptions options;
        options.half = half;
        options.name = "tiny";
        options.direction = "BtoA";
        options.input_kind = "facade-labels";
        options.metadata = {{"epochs", 3}};
        const std::string path = dir.filePath("tiny.p2pm").toStdString();
        saveModel(path, g, d, options);

        const ModelInfo info = inspectModel(path);
        QCOMPARE(info.format, std::string("p2pm"));
        QCOMPARE(info.name, std::string("tiny"));
        QCOMPARE(info.direction, std::string("BtoA"));
        QVERIFY(info.generator == g->options());
        QCOMPARE(info.discriminator.has_value(), withD);
        QCOMPARE(info.metadata["epochs"].get<int>(), 3);
        QCOMPARE(info.stored_dtype, std::string(half ? "float16" : "float32"));

        LoadedModel loaded = loadModel(path);
        QCOMPARE(bool(loaded.discriminator), withD);
        QCOMPARE(loaded.info.generator_parameters, parameterCount(*g));
        g->eval();
        loaded.generator->eval();
        torch::NoGradGuard noGrad;
        auto x = torch::randn({1, 3, 128, 128});
        QCOMPARE(test::maxAbsDiff(g->forward(x), loaded.generator->forward(x)), 0.0);
        if (withD) {
            d->eval();
            loaded.discriminator->eval();
            auto xy = torch::randn({1, 6, 128, 128});
            const double tolerance = half ? 1e-2 : 0.0;
            QVERIFY(test::maxAbsDiff(d->forward(xy), loaded.discriminator->forward(xy)) <= tolerance);
        }
    }

    void strictLoadRefusesMismatch() {
        UnetGenerator small(test::tinyGeneratorOptions("unet_128"));
        UnetGenerator other(test::tinyGeneratorOptions("unet_256"));
        auto before = stateDictOf(*other)[0].second.clone();
        try {
            loadStateDict(*other, stateDictOf(*small), "small.p2pm");
            QFAIL("a mismatched state dict was loaded");
        } catch (const Error& e) {
            const QString message = e.what();
            QVERIFY2(message.contains("missing keys"), qPrintable(message));
            QVERIFY2(message.contains("nothing was loaded"), qPrintable(message));
        }
        QCOMPARE(test::maxAbsDiff(before, stateDictOf(*other)[0].second), 0.0);

        UnetGenerator wide(GeneratorOptions{"unet_128", 3, 3, 16});
        try {
            loadStateDict(*wide, stateDictOf(*small), "small.p2pm");
            QFAIL("a state dict with other shapes was loaded");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("shape conflicts"), e.what());
        }
    }

    void nanWeightsAreRefused() {
        UnetGenerator g(test::tinyGeneratorOptions("unet_128"));
        auto dict = stateDictOf(*g);
        for (auto& [k, v] : dict) v = v.clone();
        dict[0].second.view(-1)[0] = std::numeric_limits<float>::quiet_NaN();
        UnetGenerator target(test::tinyGeneratorOptions("unet_128"));
        QVERIFY_THROWS_EXCEPTION(Error, loadStateDict(*target, dict, "nan.p2pm"));
    }

    void garbageFilesGiveClearErrors_data() {
        QTest::addColumn<QByteArray>("bytes");
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("text") << QByteArray("hello, this is not a model\n");
        QTest::newRow("random") << QByteArray(4096, '\x5a');
    }
    void garbageFilesGiveClearErrors() {
        QFETCH(QByteArray, bytes);
        QTemporaryDir dir;
        const QString path = dir.filePath("bad.p2pm");
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(bytes);
        f.close();
        try {
            loadModel(path.toStdString());
            QFAIL("garbage loaded as a model");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("bad.p2pm"), e.what());
        }
        QVERIFY_THROWS_EXCEPTION(Error, loadModel(dir.filePath("missing.p2pm").toStdString()));
    }
};

QTEST_GUILESS_MAIN(TestModelFile)
#include "test_model_file.moc"
