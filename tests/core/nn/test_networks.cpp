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
