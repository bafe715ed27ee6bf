// The reference's preprocessing: resize/crop/scale-width/none, flip, one set of params for A and B, bicubic.

#include <QtTest/QtTest>

#include <opencv2/imgproc.hpp>

#include "core/common/error.h"
#include "core/data/paired_dataset.h"
#include "core/data/prefetcher.h"
#include "core/data/tensor_image.h"

using namespace p2p;

namespace {

TransformOptions makeOptions(Preprocess p, int load, int crop, bool flip = true) {
    TransformOptions o;
    o.preprocess = p;
    o.load_size = load;
    o.crop_size = crop;
    o.flip = flip;
    return o;
}

// A smooth background (different for A and B) with a bright marker square.
cv::Mat markedImage(cv::Size size, cv::Point marker, int variant) {
    cv::Mat m(size, CV_8UC3);
    for (int y = 0; y < size.height; ++y)
        for (int x = 0; x < size.width; ++x)
            m.at<cv::Vec3b>(y, x) = variant == 0 ? cv::Vec3b(uchar(x % 50), 40, uchar(y % 60))
                                                 : cv::Vec3b(30, uchar((x + y) % 70), 20);
    cv::rectangle(m, cv::Rect(marker.x, marker.y, 12, 12), cv::Scalar(255, 255, 255), cv::FILLED);
    return m;
}

// The centre of the brightest blob (the marker), in the channel-summed image.
cv::Point2d markerCentre(const cv::Mat& bgr) {
    cv::Mat grey;
    cv::cvtColor(bgr, grey, cv::COLOR_BGR2GRAY);
    cv::Mat mask = grey > 200;
    const cv::Moments m = cv::moments(mask, true);
    if (m.m00 == 0) return {-1, -1};
    return {m.m10 / m.m00, m.m01 / m.m00};
}

}  // namespace

class TestTransforms : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void paramsAreDeterministicAndInBounds_data() {
        QTest::addColumn<int>("preprocess");
        QTest::addColumn<int>("width");
        QTest::addColumn<int>("height");
        QTest::addColumn<int>("maxX");
        QTest::addColumn<int>("maxY");
        // get_params: the crop position is drawn in the frame the resize produces.
        QTest::newRow("resize_and_crop") << int(Preprocess::ResizeAndCrop) << 256 << 256 << 30 << 30;
        QTest::newRow("crop") << int(Preprocess::Crop) << 300 << 260 << 44 << 4;
        QTest::newRow("crop smaller image") << int(Preprocess::Crop) << 200 << 200 << 0 << 0;
        // scale_width_and_crop: new_h = load * h // w = 286 * 200 // 400 = 143 < crop: y is 0.
        QTest::newRow("scale_width_and_crop") << int(Preprocess::ScaleWidthAndCrop) << 400 << 200 << 30 << 0;
        QTest::newRow("scale_width_and_crop tall")
            << int(Preprocess::ScaleWidthAndCrop) << 200 << 400 << 30 << 316;
    }
    void paramsAreDeterministicAndInBounds() {
        QFETCH(int, preprocess);
        QFETCH(int, width);
        QFETCH(int, height);
        QFETCH(int, maxX);
        QFETCH(int, maxY);
        const TransformOptions o = makeOptions(Preprocess(preprocess), 286, 256);
        int seenMaxX = 0, seenMaxY = 0, flips = 0;
        const int draws = 2000;
        for (int seed = 0; seed < draws; ++seed) {
            const TransformParams p = drawTransformParams(o, {width, height}, uint64_t(seed));
            const TransformParams again = drawTransformParams(o, {width, height}, uint64_t(seed));
            QCOMPARE(p.crop_x, again.crop_x);
            QCOMPARE(p.crop_y, again.crop_y);
            QCOMPARE(p.flip, again.flip);
            QVERIFY(p.crop_x >= 0 && p.crop_x <= maxX);
            QVERIFY(p.crop_y >= 0 && p.crop_y <= maxY);
            seenMaxX = std::max(seenMaxX, p.crop_x);
            seenMaxY = std::max(seenMaxY, p.crop_y);
            flips += p.flip;
        }
        QCOMPARE(seenMaxX, maxX);  // the whole range is reachable (randint is inclusive)
        QCOMPARE(seenMaxY, maxY);
        QVERIFY(flips > draws * 4 / 10 && flips < draws * 6 / 10);
        TransformOptions noFlip = o;
        noFlip.flip = false;
        for (int seed = 0; seed < 50; ++seed)
            QVERIFY(!drawTransformParams(noFlip, {width, height}, uint64_t(seed)).flip);
    }

    void sameParamsSameGeometry_data() {
        QTest::addColumn<int>("preprocess");
        QTest::addColumn<int>("load");
        QTest::addColumn<int>("crop");
        QTest::addColumn<int>("outW");
        QTest::addColumn<int>("outH");
        QTest::newRow("resize_and_crop") << int(Preprocess::ResizeAndCrop) << 143 << 128 << 128 << 128;
        QTest::newRow("crop") << int(Preprocess::Crop) << 143 << 96 << 96 << 96;
        QTest::newRow("scale_width") << int(Preprocess::ScaleWidth) << 64 << 32 << 64 << 40;
        QTest::newRow("scale_width_and_crop") << int(Preprocess::ScaleWidthAndCrop) << 120 << 64 << 64 << 64;
        QTest::newRow("none") << int(Preprocess::None) << 0 << 0 << 128 << 128;
    }
    void sameParamsSameGeometry() {
        QFETCH(int, preprocess);
        QFETCH(int, load);
        QFETCH(int, crop);
        QFETCH(int, outW);
        QFETCH(int, outH);
        TransformOptions o = makeOptions(Preprocess(preprocess), std::max(load, 1), std::max(crop, 1));
        o.size_multiple = 64;
        const cv::Size size(160, 100);
        for (int seed = 0; seed < 12; ++seed) {
            const cv::Point marker(20 + seed * 7, 30 + seed * 3);
            const cv::Mat a = markedImage(size, marker, 0), b = markedImage(size, marker, 1);
            const TransformParams p = drawTransformParams(o, size, uint64_t(seed));
            const cv::Mat ta = applyTransform(a, o, p), tb = applyTransform(b, o, p);
            QCOMPARE(ta.size(), cv::Size(outW, outH));
            QCOMPARE(tb.size(), cv::Size(outW, outH));
            QCOMPARE(ta.type(), CV_8UC3);
            const cv::Point2d ca = markerCentre(ta), cb = markerCentre(tb);
            if (ca.x < 0 && cb.x < 0) continue;  // cropped away in both
            QVERIFY2(std::abs(ca.x - cb.x) < 0.6 && std::abs(ca.y - cb.y) < 0.6,
                     qPrintable(QString("seed %1: A marker (%2,%3), B marker (%4,%5)")
                                    .arg(seed)
                                    .arg(ca.x)
                                    .arg(ca.y)
                                    .arg(cb.x)
                                    .arg(cb.y)));
        }
    }

    void cropIsTheResizedImagesWindow() {
        const TransformOptions o = makeOptions(Preprocess::ResizeAndCrop, 100, 64);
        const cv::Mat image = markedImage({150, 90}, {40, 40}, 0);
        TransformParams p;
        p.crop_x = 17;
        p.crop_y = 29;
        p.flip = false;
        cv::Mat resized;
        cv::resize(image, resized, {100, 100}, 0, 0, cv::INTER_CUBIC);
        const cv::Mat expected = resized(cv::Rect(17, 29, 64, 64));
        QCOMPARE(cv::norm(applyTransform(image, o, p), expected, cv::NORM_INF), 0.0);
        // Bicubic, not bilinear: the two differ on this image.
        cv::Mat linear;
        cv::resize(image, linear, {100, 100}, 0, 0, cv::INTER_LINEAR);
        QVERIFY(cv::norm(applyTransform(image, o, p), linear(cv::Rect(17, 29, 64, 64)), cv::NORM_INF) > 0);
    }

    void flipMirrorsTheCrop() {
        const TransformOptions o = makeOptions(Preprocess::ResizeAndCrop, 80, 64);
        const cv::Mat image = markedImage({120, 90}, {10, 50}, 0);
        TransformParams p{5, 9, false};
        const cv::Mat plain = applyTransform(image, o, p);
        p.flip = true;
        const cv::Mat flipped = applyTransform(image, o, p);
        cv::Mat expected;
        cv::flip(plain, expected, 1);
        QCOMPARE(cv::norm(flipped, expected, cv::NORM_INF), 0.0);
        // With flipping turned off in the options, a params.flip is ignored.
        TransformOptions noFlip = o;
        noFlip.flip = false;
        QCOMPARE(cv::norm(applyTransform(image, noFlip, p), plain, cv::NORM_INF), 0.0);
    }

    void cropOfASmallerImagePadsLikePil() {
        // PIL's crop fills the part of the box outside the image with black; the reference crops only when
        // the image is larger than the crop in some direction.
        const TransformOptions o = makeOptions(Preprocess::Crop, 286, 64);
        const cv::Mat image(40, 100, CV_8UC3, cv::Scalar(9, 99, 199));
        const cv::Mat out = applyTransform(image, o, {10, 0, false});
        QCOMPARE(out.size(), cv::Size(64, 64));
        QCOMPARE(out.at<cv::Vec3b>(10, 10), cv::Vec3b(9, 99, 199));
        QCOMPARE(out.at<cv::Vec3b>(50, 10), cv::Vec3b(0, 0, 0));
        const cv::Mat small(30, 30, CV_8UC3, cv::Scalar(1, 2, 3));
        QCOMPARE(applyTransform(small, o, {0, 0, false}).size(), cv::Size(30, 30));
    }

    void scaleWidthSizes_data() {
        QTest::addColumn<int>("w");
        QTest::addColumn<int>("h");
        QTest::addColumn<int>("outW");
        QTest::addColumn<int>("outH");
        QTest::newRow("wide: height raised to crop") << 400 << 100 << 286 << 256;
        QTest::newRow("tall") << 200 << 400 << 286 << 572;
        QTest::newRow("already the width") << 286 << 300 << 286 << 300;
    }
    void scaleWidthSizes() {
        QFETCH(int, w);
        QFETCH(int, h);
        QFETCH(int, outW);
        QFETCH(int, outH);
        const TransformOptions o = makeOptions(Preprocess::ScaleWidth, 286, 256, false);
        const cv::Mat image(h, w, CV_8UC3, cv::Scalar(1, 2, 3));
        QCOMPARE(applyTransform(image, o, {}).size(), cv::Size(outW, outH));
    }

    void noneResizesToTheStrideAndSaysSo_data() {
        QTest::addColumn<int>("w");
        QTest::addColumn<int>("h");
        QTest::addColumn<int>("outW");
        QTest::addColumn<int>("outH");
        QTest::addColumn<QString>("note");
        QTest::newRow("kept") << 512 << 256 << 512 << 256 << "kept 512x256";
        QTest::newRow("rounded") << 300 << 700 << 256 << 768 << "resized 300x700 to 256x768";
        QTest::newRow("half rounds to even") << 384 << 640 << 512 << 512 << "resized 384x640 to 512x512";
        QTest::newRow("never zero") << 60 << 90 << 256 << 256 << "resized 60x90 to 256x256";
    }
    void noneResizesToTheStrideAndSaysSo() {
        QFETCH(int, w);
        QFETCH(int, h);
        QFETCH(int, outW);
        QFETCH(int, outH);
        QFETCH(QString, note);
        TransformOptions o = makeOptions(Preprocess::None, 286, 256, false);
        const cv::Mat image(h, w, CV_8UC3, cv::Scalar(1, 2, 3));
        std::string said;
        QCOMPARE(applyTransform(image, o, {}, &said).size(), cv::Size(outW, outH));
        QVERIFY2(QString::fromStdString(said).contains(note), said.c_str());
    }

    void tensorsAreInMinusOneToOne() {
        const TransformOptions o = makeOptions(Preprocess::ResizeAndCrop, 72, 64);
        cv::Mat image(64, 64, CV_8UC3, cv::Scalar(0, 0, 0));
        image(cv::Rect(0, 0, 32, 64)).setTo(cv::Scalar(255, 255, 255));
        const torch::Tensor t = imageToTensor(applyTransform(image, o, {3, 3, false}));
        QCOMPARE(t.sizes(), (torch::IntArrayRef{1, 3, 64, 64}));
        QCOMPARE(t.min().item<float>(), -1.0f);
        QCOMPARE(t.max().item<float>(), 1.0f);
        // Bicubic overshoot is clamped by the 8-bit image, never outside [-1, 1].
        QVERIFY(t.abs().max().item<float>() <= 1.0f);
    }

    void evalParamsAreCentredWithoutFlip() {
        const TransformOptions o = makeOptions(Preprocess::ResizeAndCrop, 286, 256);
        const TransformParams p = evalTransformParams(o, {400, 300});
        QCOMPARE(p.crop_x, 15);
        QCOMPARE(p.crop_y, 15);
        QVERIFY(!p.flip);
    }

    void validateRefusesBadOptions_data() {
        QTest::addColumn<int>("load");
        QTest::addColumn<int>("crop");
        QTest::addColumn<int>("multiple");
        QTest::addColumn<QString>("reason");
        QTest::newRow("crop > load") << 256 << 286 << 256 << "crop_size (286) must not exceed load_size";
        QTest::newRow("zero load") << 0 << 256 << 256 << "load_size";
        QTest::newRow("negative crop") << 286 << -1 << 256 << "crop_size";
        QTest::newRow("zero multiple") << 286 << 256 << 0 << "size_multiple";
        QTest::newRow("huge") << 100000 << 256 << 256 << "load_size";
    }
    void validateRefusesBadOptions() {
        QFETCH(int, load);
        QFETCH(int, crop);
        QFETCH(int, multiple);
        QFETCH(QString, reason);
        TransformOptions o = makeOptions(Preprocess::ResizeAndCrop, load, crop);
        o.size_multiple = multiple;
        try {
            o.validate();
            QFAIL("accepted bad options");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains(reason), e.what());
        }
        makeOptions(Preprocess::ResizeAndCrop, 286, 256).validate();
    }
};

QTEST_GUILESS_MAIN(TestTransforms)
#include "test_transforms.moc"
