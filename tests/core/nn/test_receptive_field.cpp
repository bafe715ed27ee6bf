// The PatchGAN cell -> input pixels mapping (core/nn/receptive_field.h), checked against hand derivations and
// against the real network's gradients.

#include <QtTest/QtTest>

#include "core/common/error.h"
#include "core/nn/networks.h"
#include "core/nn/receptive_field.h"

using namespace p2p;

namespace {

DiscriminatorOptions nLayers(int n) {
    DiscriminatorOptions o;
    o.netD = "n_layers";
    o.n_layers = n;
    o.ndf = 8;
    return o;
}

// Rows (or columns) of the input whose gradient w.r.t. one output cell is non-zero. With every weight
// positive, no bias and a positive input, every path from a pixel inside the receptive field adds a positive
// amount, so "non-zero gradient" is exactly "inside the receptive field" (padding has no pixel to receive a
// gradient).
std::pair<PixelRange, PixelRange> measuredRange(const DiscriminatorOptions& options, int size, int row,
                                                int col) {
    DiscriminatorOptions o = options;
    o.norm = Norm::None;
    PatchDiscriminator d(o);
    d->to(torch::kDouble);
    {
        torch::NoGradGuard noGrad;
        for (auto& p : d->named_parameters()) {
            if (p.key().find("weight") != std::string::npos)
                p.value().fill_(0.05);
            else
                p.value().zero_();
        }
    }
    auto x = torch::ones({1, o.input_nc, size, size}, torch::kDouble).requires_grad_(true);
    auto y = d->forward(x);
    y.index({0, 0, row, col}).backward();
    const torch::Tensor touched = x.grad().abs().sum(1)[0] > 0;  // [H, W]
    auto rows = touched.any(1).nonzero().flatten();
    auto cols = touched.any(0).nonzero().flatten();
    auto span = [](const torch::Tensor& idx) {
        if (idx.numel() == 0) return PixelRange{0, -1};
        return PixelRange{int(idx.min().item<int64_t>()), int(idx.max().item<int64_t>())};
    };
    // The touched set must be a full rectangle, not just have the right bounding box.
    const int64_t area = touched.sum().item<int64_t>();
    const PixelRange r = span(rows);
    const PixelRange cl = span(cols);
    if (area != int64_t(r.length()) * cl.length()) return {PixelRange{0, -1}, PixelRange{0, -1}};
    return {r, cl};
}

}  // namespace

Q_DECLARE_METATYPE(p2p::PixelRange)

class TestReceptiveField : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void geometryOfTheReferenceLayers() {
        // NLayerDiscriminator: n_layers convs k4 s2 p1, then two k4 s1 p1. Pixel D: three 1x1 convs.
        const std::vector<ConvGeometry> basic = {{4, 2, 1}, {4, 2, 1}, {4, 2, 1}, {4, 1, 1}, {4, 1, 1}};
        QVERIFY(discriminatorGeometry(DiscriminatorOptions{}) == basic);
        QVERIFY(discriminatorGeometry(nLayers(3)) == basic);
        QVERIFY(discriminatorGeometry(nLayers(1)) ==
                (std::vector<ConvGeometry>{{4, 2, 1}, {4, 1, 1}, {4, 1, 1}}));
        DiscriminatorOptions pixel;
        pixel.netD = "pixel";
        QVERIFY(discriminatorGeometry(pixel) == (std::vector<ConvGeometry>{{1, 1, 0}, {1, 1, 0}, {1, 1, 0}}));
        // "basic" ignores n_layers, as the reference's define_D does.
        DiscriminatorOptions basicWith5;
        basicWith5.n_layers = 5;
        QVERIFY(discriminatorGeometry(basicWith5) == basic);
    }

    void networkIsBuiltFromTheSameList_data() {
        QTest::addColumn<QString>("netD");
        QTest::addColumn<int>("layers");
        QTest::addColumn<int>("size");
        for (int n = 1; n <= 4; ++n)
            for (int size : {128, 256})
                QTest::addRow("n_layers %d at %d", n, size) << "n_layers" << n << size;
        QTest::newRow("basic at 256") << "basic" << 3 << 256;
        QTest::newRow("pixel at 64") << "pixel" << 1 << 64;
    }
    void networkIsBuiltFromTheSameList() {
        QFETCH(QString, netD);
        QFETCH(int, layers);
        QFETCH(int, size);
        DiscriminatorOptions o = nLayers(layers);
        o.netD = netD.toStdString();
        PatchDiscriminator d(o);
        QVERIFY(d->convGeometry() == discriminatorGeometry(o));
        // Every conv in the module carries the geometry of its entry in the list, in order. Padding is
        // checked through the output size (its option type differs between LibTorch 1.x and 2.x): for a given
        // kernel and stride, one more pixel of padding per side gives a different output size.
        size_t i = 0;
        const auto geometry = discriminatorGeometry(o);
        torch::NoGradGuard noGradForConvs;
        for (const auto& m : d->modules(false)) {
            if (auto* conv = m->as<torch::nn::Conv2dImpl>()) {
                QVERIFY(i < geometry.size());
                QCOMPARE(int(conv->options.kernel_size()->at(0)), geometry[i].kernel);
                QCOMPARE(int(conv->options.stride()->at(0)), geometry[i].stride);
                for (int n : {16, 17}) {
                    const auto out = conv->forward(torch::zeros({1, conv->options.in_channels(), n, n}));
                    QCOMPARE(int(out.size(2)), convOutputSize({geometry[i]}, n));
                }
                ++i;
            }
        }
        QCOMPARE(i, geometry.size());
        torch::NoGradGuard noGrad;
        d->eval();
        const auto y = d->forward(torch::randn({1, 6, size, size}));
        QCOMPARE(int(y.size(2)), convOutputSize(geometry, size));
        QCOMPARE(int(y.size(3)), convOutputSize(geometry, size));
    }

    void cellRangesDerivedByHand_data() {
        QTest::addColumn<int>("layers");
        QTest::addColumn<int>("row");
        QTest::addColumn<int>("col");
        QTest::addColumn<int>("mapSize");
        QTest::addColumn<PixelRange>("rowsWithPadding");
        QTest::addColumn<PixelRange>("colsWithPadding");
        QTest::addColumn<PixelRange>("rowsInImage");
        QTest::addColumn<PixelRange>("colsInImage");

        // Derivation, going backwards from one output cell: a conv (kernel k, stride s, padding p) computes
        // its output index i from its input indices [i*s - p, i*s - p + k - 1]. For a span [a, b] of outputs
        // the inputs are [a*s - p, b*s - p + 3] with k = 4, p = 1. Map sizes: n -> floor((n + 2 - 4) / s)
        // + 1.
        //
        // n_layers 1: convs s2, s1, s1.  256 -> 128 -> 127 -> 126 cells.
        //   cell i: [i-1, i+2] -> [i-2, i+4] -> [2i-5, 2i+10]: 16 pixels, 2 apart, starting at -5.
        //   cell 0: rows [-5, 10], in the image [0, 10]. cell 125: [245, 260] -> [245, 255].
        //   cell 60: [115, 130].
        QTest::newRow("n1 (0,0)") << 1 << 0 << 0 << 126 << PixelRange{-5, 10} << PixelRange{-5, 10}
                                  << PixelRange{0, 10} << PixelRange{0, 10};
        QTest::newRow("n1 (60,125)") << 1 << 60 << 125 << 126 << PixelRange{115, 130} << PixelRange{245, 260}
                                     << PixelRange{115, 130} << PixelRange{245, 255};
        // n_layers 2: convs s2, s2, s1, s1.  256 -> 128 -> 64 -> 63 -> 62 cells.
        //   cell i: [i-1, i+2] -> [i-2, i+4] -> [2i-5, 2i+10] -> [4i-11, 4i+22]: 34 pixels, 4 apart, from
        //   -11. cell 0: [-11, 22] -> [0, 22]. cell 61: [233, 266] -> [233, 255]. cell 30: [109, 142].
        QTest::newRow("n2 (0,61)") << 2 << 0 << 61 << 62 << PixelRange{-11, 22} << PixelRange{233, 266}
                                   << PixelRange{0, 22} << PixelRange{233, 255};
        QTest::newRow("n2 (30,30)") << 2 << 30 << 30 << 62 << PixelRange{109, 142} << PixelRange{109, 142}
                                    << PixelRange{109, 142} << PixelRange{109, 142};
        // n_layers 3 (the paper's 70x70): convs s2, s2, s2, s1, s1.  256 -> 128 -> 64 -> 32 -> 31 -> 30
        // cells.
        //   cell i: [i-1, i+2] -> [i-2, i+4] -> [2i-5, 2i+10] -> [4i-11, 4i+22] -> [8i-23, 8i+46]:
        //   70 pixels, 8 apart, from -23.
        //   cell 0: [-23, 46] -> [0, 46]. cell 29: [209, 278] -> [209, 255].
        //   cell 10: [57, 126]. cell 17: [113, 182]. cell 2: [-7, 62] -> [0, 62]. cell 3: [1, 70], no
        //   padding.
        QTest::newRow("n3 (0,0)") << 3 << 0 << 0 << 30 << PixelRange{-23, 46} << PixelRange{-23, 46}
                                  << PixelRange{0, 46} << PixelRange{0, 46};
        QTest::newRow("n3 (29,29)") << 3 << 29 << 29 << 30 << PixelRange{209, 278} << PixelRange{209, 278}
                                    << PixelRange{209, 255} << PixelRange{209, 255};
        QTest::newRow("n3 (10,17)") << 3 << 10 << 17 << 30 << PixelRange{57, 126} << PixelRange{113, 182}
                                    << PixelRange{57, 126} << PixelRange{113, 182};
        QTest::newRow("n3 (2,3)") << 3 << 2 << 3 << 30 << PixelRange{-7, 62} << PixelRange{1, 70}
                                  << PixelRange{0, 62} << PixelRange{1, 70};
    }
    void cellRangesDerivedByHand() {
        QFETCH(int, layers);
        QFETCH(int, row);
        QFETCH(int, col);
        QFETCH(int, mapSize);
        QFETCH(PixelRange, rowsWithPadding);
        QFETCH(PixelRange, colsWithPadding);
        QFETCH(PixelRange, rowsInImage);
        QFETCH(PixelRange, colsInImage);
        const auto geometry = discriminatorGeometry(nLayers(layers));
        QCOMPARE(convOutputSize(geometry, 256), mapSize);
        const ReceptiveField field = receptiveField(geometry);
        QCOMPARE(field.size, rowsWithPadding.length());
        QVERIFY(cellInputRange(field, row) == rowsWithPadding);
        QVERIFY(cellInputRange(field, col) == colsWithPadding);
        QVERIFY(cellImageRange(field, row, 256) == rowsInImage);
        QVERIFY(cellImageRange(field, col, 256) == colsInImage);
    }

    void fieldSummaries() {
        // size / jump / first for n_layers 1..3 from the derivation above, and the pixel D's 1x1.
        struct Row {
            int layers, size, jump, first;
        };
        for (const Row& r : {Row{1, 16, 2, -5}, Row{2, 34, 4, -11}, Row{3, 70, 8, -23}}) {
            const ReceptiveField f = receptiveField(discriminatorGeometry(nLayers(r.layers)));
            QCOMPARE(f.size, r.size);
            QCOMPARE(f.jump, r.jump);
            QCOMPARE(f.first, r.first);
        }
        DiscriminatorOptions pixel;
        pixel.netD = "pixel";
        const ReceptiveField f = receptiveField(discriminatorGeometry(pixel));
        QCOMPARE(f.size, 1);
        QCOMPARE(f.jump, 1);
        QCOMPARE(f.first, 0);
        QCOMPARE(convOutputSize(discriminatorGeometry(pixel), 64), 64);
    }

    void tooSmallInputsAndBadLayers() {
        const auto geometry = discriminatorGeometry(nLayers(3));
        QCOMPARE(convOutputSize(geometry, 8), 0);   // 8 -> 4 -> 2 -> 1, then 1 + 2 < 4: nothing left
        QCOMPARE(convOutputSize(geometry, 16), 0);  // 16 -> 8 -> 4 -> 2 -> 1, then nothing
        QCOMPARE(convOutputSize(geometry, 24), 1);  // 24 -> 12 -> 6 -> 3 -> 2 -> 1
        QVERIFY_THROWS_EXCEPTION(Error, receptiveField({{0, 1, 0}}));
        QVERIFY_THROWS_EXCEPTION(Error, receptiveField({{3, 0, 1}}));
        QVERIFY(cellImageRange(receptiveField(geometry), 40, 256).length() == 0);  // entirely past the image
    }

    // The real network: an input pixel influences cell (row, col) exactly when the mapping says so.
    void matchesTheNetworksGradients_data() {
        QTest::addColumn<int>("layers");
        QTest::addColumn<int>("size");
        QTest::addColumn<int>("row");
        QTest::addColumn<int>("col");
        QTest::newRow("n1 corner") << 1 << 256 << 0 << 0;
        QTest::newRow("n1 far edge") << 1 << 256 << 125 << 60;
        QTest::newRow("n2 inside") << 2 << 256 << 30 << 7;
        QTest::newRow("n3 corner") << 3 << 256 << 0 << 29;
        QTest::newRow("n3 inside") << 3 << 256 << 10 << 17;
        QTest::newRow("n3 at 128") << 3 << 128 << 13 << 2;
        QTest::newRow("n4 at 128") << 4 << 128 << 2 << 0;
    }
    void matchesTheNetworksGradients() {
        QFETCH(int, layers);
        QFETCH(int, size);
        QFETCH(int, row);
        QFETCH(int, col);
        const DiscriminatorOptions o = nLayers(layers);
        const ReceptiveField field = receptiveField(discriminatorGeometry(o));
        const auto [rows, cols] = measuredRange(o, size, row, col);
        QVERIFY2(rows == cellImageRange(field, row, size),
                 qPrintable(QString("rows measured [%1, %2]").arg(rows.first).arg(rows.last)));
        QVERIFY2(cols == cellImageRange(field, col, size),
                 qPrintable(QString("cols measured [%1, %2]").arg(cols.first).arg(cols.last)));
    }
};

QTEST_APPLESS_MAIN(TestReceptiveField)
#include "test_receptive_field.moc"
