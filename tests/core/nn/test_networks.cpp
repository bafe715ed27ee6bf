#include <QtTest/QtTest>

#include "core/common/error.h"
#include "core/nn/networks.h"
#include "tests/support/test_support.h"

using namespace p2p;

Q_DECLARE_METATYPE(p2p::Norm)

class TestNetworks : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void generatorParameterCount_data() {
        QTest::addColumn<QString>("netG");
        QTest::addColumn<int>("ngf");
        QTest::addColumn<p2p::Norm>("norm");
        QTest::addColumn<qlonglong>("expected");
        // The reference's counts (models/networks.py, define_G).
        QTest::newRow("unet_256 ngf64 batch") << "unet_256" << 64 << Norm::Batch << 54413955LL;
        QTest::newRow("unet_256 ngf64 instance") << "unet_256" << 64 << Norm::Instance << 54409603LL;
        QTest::newRow("unet_128 ngf64 batch") << "unet_128" << 64 << Norm::Batch << 41828995LL;
        QTest::newRow("unet_256 ngf8 batch (fixture)") << "unet_256" << 8 << Norm::Batch << 852307LL;
    }
    void generatorParameterCount() {
        QFETCH(QString, netG);
        QFETCH(int, ngf);
        QFETCH(p2p::Norm, norm);
        QFETCH(qlonglong, expected);
        GeneratorOptions o;
        o.netG = netG.toStdString();
        o.ngf = ngf;
        o.norm = norm;
        UnetGenerator g(o);
        QCOMPARE(parameterCount(*g), expected);
    }

    void discriminatorParameterCount_data() {
        QTest::addColumn<int>("ndf");
        QTest::addColumn<p2p::Norm>("norm");
        QTest::addColumn<qlonglong>("expected");
        QTest::newRow("basic ndf64 batch") << 64 << Norm::Batch << 2768705LL;
        QTest::newRow("basic ndf64 instance") << 64 << Norm::Instance << 2767809LL;
        QTest::newRow("basic ndf16 batch (fixture)") << 16 << Norm::Batch << 176081LL;
    }
    void discriminatorParameterCount() {
        QFETCH(int, ndf);
        QFETCH(p2p::Norm, norm);
        QFETCH(qlonglong, expected);
        DiscriminatorOptions o;
        o.ndf = ndf;
        o.norm = norm;
        PatchDiscriminator d(o);
        QCOMPARE(parameterCount(*d), expected);
    }

    void referenceKeyNames() {
        UnetGenerator g(test::tinyGeneratorOptions("unet_256"));
        auto params = g->named_parameters();
        auto buffers = g->named_buffers();
        QVERIFY(params.contains("model.model.0.weight"));
        QVERIFY(!params.contains("model.model.0.bias"));  // batch norm: no bias except the outermost upconv
        QVERIFY(params.contains("model.model.3.bias"));
        QVERIFY(params.contains("model.model.1.model.1.weight"));
        QVERIFY(params.contains("model.model.1.model.2.weight"));
        QVERIFY(buffers.contains("model.model.1.model.2.running_mean"));
        QVERIFY(buffers.contains("model.model.1.model.2.num_batches_tracked"));
        PatchDiscriminator d(DiscriminatorOptions{});
        auto dp = d->named_parameters();
        QVERIFY(dp.contains("model.0.bias"));
        QVERIFY(dp.contains("model.11.bias"));
        QVERIFY(!dp.contains("model.2.bias"));
    }

    void shapes_data() {
        QTest::addColumn<QString>("netG");
        QTest::addColumn<int>("size");
        QTest::newRow("unet_256 at 256") << "unet_256" << 256;
        QTest::newRow("unet_128 at 128") << "unet_128" << 128;
        QTest::newRow("unet_128 at 256") << "unet_128" << 256;
    }
    void shapes() {
        QFETCH(QString, netG);
        QFETCH(int, size);
        UnetGenerator g(test::tinyGeneratorOptions(netG.toStdString()));
        g->eval();
        torch::NoGradGuard noGrad;
        auto y = g->forward(torch::randn({1, 3, size, size}));
        QCOMPARE(y.sizes().vec(), (std::vector<int64_t>{1, 3, size, size}));
        QVERIFY(y.abs().max().item<float>() <= 1.0f);  // tanh
    }

    void patchMapIs30x30At256() {
        DiscriminatorOptions o;
        o.ndf = 8;
        PatchDiscriminator d(o);
        torch::NoGradGuard noGrad;
        auto y = d->forward(torch::randn({1, 6, 256, 256}));
        QCOMPARE(y.sizes().vec(), (std::vector<int64_t>{1, 1, 30, 30}));
        QCOMPARE(int(d->convGeometry().size()), 5);
    }

    void dropoutOnlyInInnerBlocks() {
        GeneratorOptions o = test::tinyGeneratorOptions("unet_256");
        UnetGenerator g(o);
        int dropouts = 0;
        for (const auto& m : g->modules()) dropouts += m->as<torch::nn::DropoutImpl>() != nullptr;
        QCOMPARE(dropouts, 3);
        o.netG = "unet_128";
        UnetGenerator g128(o);
        dropouts = 0;
        for (const auto& m : g128->modules()) dropouts += m->as<torch::nn::DropoutImpl>() != nullptr;
        QCOMPARE(dropouts, 2);
    }

    void initStatistics() {
        torch::manual_seed(0);
        GeneratorOptions o;
        o.ngf = 32;
        UnetGenerator g(o);
        initWeights(*g, 0.02);
        auto w = g->named_parameters()["model.model.1.model.1.weight"];
        QVERIFY(std::abs(w.std().item<double>() - 0.02) < 0.002);
        auto bn = g->named_parameters()["model.model.1.model.2.weight"];
        QVERIFY(std::abs(bn.mean().item<double>() - 1.0) < 0.01);
    }

    // Upsample::Resize: the same U-Net with each up layer a Sequential{Upsample, Conv2d(k3, s1, p1)} at the
    // transposed conv's index, so the keys gain ".1." there and the weights turn [out, in, 3, 3].
    void resizeGenerator_data() {
        QTest::addColumn<QString>("netG");
        QTest::addColumn<p2p::Norm>("norm");
        QTest::newRow("unet_256 batch") << "unet_256" << Norm::Batch;
        QTest::newRow("unet_128 instance") << "unet_128" << Norm::Instance;
        QTest::newRow("unet_128 none") << "unet_128" << Norm::None;
    }
    void resizeGenerator() {
        QFETCH(QString, netG);
        QFETCH(p2p::Norm, norm);
        GeneratorOptions o = test::tinyGeneratorOptions(netG.toStdString(), norm);
        UnetGenerator transposed(o);
        o.upsample = Upsample::Resize;
        UnetGenerator g(o);
        QVERIFY(g->options().upsample == Upsample::Resize);

        // Each up layer (in -> out) loses 16 - 9 = 7 weights per channel pair; biases and norms stay.
        const int64_t ngf = o.ngf;
        std::vector<std::pair<int64_t, int64_t>> ups = {
            {2 * ngf, o.output_nc}, {4 * ngf, ngf}, {8 * ngf, 2 * ngf}, {16 * ngf, 4 * ngf}, {8 * ngf, 8 * ngf}};
        for (int i = 0; i < o.numDowns() - 5; ++i) ups.push_back({16 * ngf, 8 * ngf});
        int64_t fewer = 0;
        for (const auto& [in, out] : ups) fewer += 7 * in * out;
        QCOMPARE(parameterCount(*g), parameterCount(*transposed) - fewer);

        const auto params = g->named_parameters();
        QVERIFY(!params.contains("model.model.3.weight"));
        QCOMPARE(params["model.model.3.1.weight"].sizes().vec(), (std::vector<int64_t>{3, 2 * ngf, 3, 3}));
        QVERIFY(params.contains("model.model.3.1.bias"));  // the outermost up layer always has its bias
        QCOMPARE(params["model.model.1.model.5.1.weight"].sizes().vec(), (std::vector<int64_t>{ngf, 4 * ngf, 3, 3}));
        QCOMPARE(params.contains("model.model.1.model.5.1.bias"), norm == Norm::Instance);  // the reference's rule
        // Key for key: an up conv's "<layer>.weight" is "<layer>.1.weight" (the Upsample, ".0", has none);
        // every other key is the reference's.
        const auto reference = transposed->named_parameters();
        QCOMPARE(params.size(), reference.size());
        for (const auto& item : reference) {
            const std::string& key = item.key();
            const std::string moved = key.substr(0, key.rfind('.')) + ".1" + key.substr(key.rfind('.'));
            QVERIFY2(params.contains(key) != params.contains(moved), key.c_str());
        }

        g->eval();
        torch::NoGradGuard noGrad;
        const int size = o.sizeMultiple();
        const auto y = g->forward(torch::randn({2, 3, size, 2 * size}));
        QCOMPARE(y.sizes().vec(), (std::vector<int64_t>{2, 3, size, 2 * size}));
        QVERIFY(y.abs().max().item<float>() <= 1.0f);
    }

    // initWeights reaches the 3x3 convs inside the resize layers.
    void initCoversResizeConvs() {
        torch::manual_seed(0);
        GeneratorOptions o;
        o.ngf = 32;
        o.upsample = Upsample::Resize;
        UnetGenerator g(o);
        initWeights(*g, 0.02);
        const auto params = g->named_parameters();
        const auto w = params["model.model.1.model.3.model.5.1.weight"];  // 256 -> 64: 147k weights
        QVERIFY(std::abs(w.std().item<double>() - 0.02) < 0.002);
        QCOMPARE(params["model.model.3.1.bias"].abs().max().item<double>(), 0.0);
    }

    void generatorOptionsJson() {
        const GeneratorOptions reference;
        QVERIFY(reference.upsample == Upsample::Transposed);
        QVERIFY(!reference.toJson().contains("upsample"));  // default model files keep their bytes
        QVERIFY(GeneratorOptions::fromJson(reference.toJson()) == reference);
        QVERIFY(reference.describe().find("resize") == std::string::npos);

        GeneratorOptions resize = test::tinyGeneratorOptions("unet_128", Norm::Instance);
        resize.upsample = Upsample::Resize;
        QCOMPARE(resize.toJson().at("upsample").get<std::string>(), std::string("resize"));
        const GeneratorOptions back = GeneratorOptions::fromJson(nlohmann::json::parse(resize.toJson().dump()));
        QVERIFY(back == resize);
        QVERIFY(back.upsample == Upsample::Resize);
        QVERIFY(!(back == test::tinyGeneratorOptions("unet_128", Norm::Instance)));
        QCOMPARE(QString::fromStdString(resize.describe()), QString("unet_128, ngf 8, instance norm, dropout, resize upsampling"));

        QCOMPARE(toString(Upsample::Resize), std::string("resize"));
        QVERIFY(upsampleFromString("transposed") == Upsample::Transposed);
        auto j = resize.toJson();
        j["upsample"] = "bilinear";
        try {
            GeneratorOptions::fromJson(j);
            QFAIL("an unknown upsample was accepted");
        } catch (const p2p::Error& e) {
            QVERIFY2(QString(e.what()).contains("bilinear"), e.what());
        }
    }

    void invalidOptionsAreRefused() {
        GeneratorOptions o;
        o.netG = "resnet_9blocks";
        QVERIFY_THROWS_EXCEPTION(p2p::Error, o.validate());
        DiscriminatorOptions d;
        d.netD = "n_layers";
        d.n_layers = 9;
        QVERIFY_THROWS_EXCEPTION(p2p::Error, d.validate());
    }
};

QTEST_GUILESS_MAIN(TestNetworks)
#include "test_networks.moc"
