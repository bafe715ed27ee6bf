// HeatmapView: cells map to the pixels D judged (from D's layer list), hovering reports the cell and its
// score, and a map that the layers do not describe is still drawn but claims no receptive field.

#include <QtTest/QtTest>

#include <QImage>

#include <cmath>

#include <opencv2/core.hpp>

#include "core/nn/receptive_field.h"
#include "ui/training/heatmap_view.h"

using namespace p2p;
using namespace p2p::ui;

namespace {

cv::Mat ramp(int rows, int cols) {
    cv::Mat m(rows, cols, CV_32FC1);
    for (int r = 0; r < rows; ++r)
        for (int c = 0; c < cols; ++c) m.at<float>(r, c) = float(r * cols + c) / float(rows * cols - 1);
    return m;
}

QImage grey(int w, int h) {
    QImage img(w, h, QImage::Format_RGB888);
    img.fill(QColor(120, 120, 120));
    return img;
}

}  // namespace

class TestTrainingHeatmap : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void cellsMapToTheirReceptiveFields() {
        HeatmapView view;
        view.resize(600, 560);
        view.setImage(grey(256, 256));
        view.setScores(ramp(30, 30));
        view.setLayers(discriminatorGeometry(DiscriminatorOptions{}));
        QVERIFY(view.fieldKnown());
        // 70x70 PatchGAN at 256: cell i sees pixels [8i - 23, 8i + 46] (see test_receptive_field).
        QCOMPARE(view.cellFieldWithPadding(0, 0), QRect(QPoint(-23, -23), QPoint(46, 46)));
        QCOMPARE(view.cellField(0, 0), QRect(QPoint(0, 0), QPoint(46, 46)));
        QCOMPARE(view.cellField(10, 17), QRect(QPoint(113, 57), QPoint(182, 126)));
        QCOMPARE(view.cellField(29, 29), QRect(QPoint(209, 209), QPoint(255, 255)));
        QCOMPARE(view.cellField(30, 0), QRect());  // no such cell
        QCOMPARE(view.scoreAt(0, 1), double(1.0f / 899.0f));
    }

    void hoveringACellReportsItAndItsScore() {
        HeatmapView view;
        view.resize(600, 560);
        view.setImage(grey(256, 256));
        view.setScores(ramp(30, 30));
        view.setLayers(discriminatorGeometry(DiscriminatorOptions{}));
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QSignalSpy hovered(&view, &HeatmapView::cellHovered);
        const QRectF cell = view.cellRectInWidget(10, 17);
        QVERIFY(cell.width() > 4);  // drawn as a visible block
        QTest::mouseMove(&view, cell.center().toPoint());
        QTRY_VERIFY(hovered.count() >= 1);
        QCOMPARE(hovered.last().at(0).toInt(), 10);
        QCOMPARE(hovered.last().at(1).toInt(), 17);
        QCOMPARE(view.hoveredRow(), 10);
        QCOMPARE(view.hoveredCol(), 17);
        const QString text = view.hoverText();
        QVERIFY2(text.contains("row 10, col 17"), qPrintable(text));
        QVERIFY2(text.contains(QString::number(view.scoreAt(10, 17), 'f', 3)), qPrintable(text));
        QVERIFY2(text.contains("x 113–182, y 57–126"), qPrintable(text));
        // A point of the image's border strip, outside every block, belongs to the nearest cell.
        QCOMPARE(view.cellAt(view.cellRectInWidget(0, 0).topLeft() - QPointF(2, 2)), QPoint(0, 0));
        // Off the image: no cell.
        QCOMPARE(view.cellAt(QPointF(1, 1)), QPoint(-1, -1));
        // The block sits at the centre of its field: cell i's block is [8i + 8, 8i + 16) at 256.
        const QRectF first = view.cellRectInWidget(0, 0), next = view.cellRectInWidget(0, 1);
        QVERIFY(std::abs((next.left() - first.left()) - first.width()) < 1e-6);
        view.setHoveredCell(-1, -1);
        QCOMPARE(view.hoveredRow(), -1);
    }

    void otherLayersAndSizes_data() {
        QTest::addColumn<int>("layers");
        QTest::addColumn<int>("size");
        QTest::addColumn<int>("row");
        QTest::addColumn<QRect>("field");
        // n_layers 1 at 256: 126 cells, cell i sees [2i - 5, 2i + 10].
        QTest::newRow("n1 256") << 1 << 256 << 60 << QRect(QPoint(115, 115), QPoint(130, 130));
        // n_layers 3 at 128: 128 -> 64 -> 32 -> 16 -> 15 -> 14 cells; cell 13 sees [81, 150] -> [81, 127].
        QTest::newRow("n3 128") << 3 << 128 << 13 << QRect(QPoint(81, 81), QPoint(127, 127));
    }
    void otherLayersAndSizes() {
        QFETCH(int, layers);
        QFETCH(int, size);
        QFETCH(int, row);
        QFETCH(QRect, field);
        DiscriminatorOptions o;
        o.netD = "n_layers";
        o.n_layers = layers;
        const auto geometry = discriminatorGeometry(o);
        const int cells = convOutputSize(geometry, size);
        HeatmapView view;
        view.setImage(grey(size, size));
        view.setScores(ramp(cells, cells));
        view.setLayers(geometry);
        QVERIFY(view.fieldKnown());
        QCOMPARE(view.cellField(row, row), field);
    }

    void mismatchedMapClaimsNoField() {
        HeatmapView view;
        view.resize(400, 400);
        view.setImage(grey(256, 256));
        view.setScores(ramp(30, 30));
        DiscriminatorOptions o;
        o.netD = "n_layers";
        o.n_layers = 1;  // would give 126x126 at 256, not 30x30
        view.setLayers(discriminatorGeometry(o));
        QVERIFY(!view.fieldKnown());
        QCOMPARE(view.cellField(3, 3), QRect());
        // Still drawn: stretched over the image, and hover still names the cell.
        const QRectF cell = view.cellRectInWidget(3, 3);
        QCOMPARE(view.cellAt(cell.center()), QPoint(3, 3));
        view.setHoveredCell(3, 3);
        QVERIFY(view.hoverText().contains("receptive field unknown"));
    }

    void rejectsWhatIsNotAProbabilityMap() {
        HeatmapView view;
        view.setImage(grey(64, 64));
        view.setScores(cv::Mat(6, 6, CV_8UC1, cv::Scalar(3)));
        QCOMPARE(view.mapRows(), 0);
        view.setScores(ramp(6, 6));
        QCOMPARE(view.mapRows(), 6);
        view.setOpacity(3.0);
        QCOMPARE(view.opacity(), 1.0);
        view.clear();
        QCOMPARE(view.mapRows(), 0);
        QVERIFY(view.image().isNull());
    }

    void paintsEveryStateAndOutlinesTheField() {
        HeatmapView view;
        view.resize(300, 300);
        QImage canvas(view.size(), QImage::Format_ARGB32);
        view.render(&canvas);  // empty
        view.setImage(grey(256, 256));
        view.render(&canvas);  // image only
        view.setScores(ramp(30, 30));
        view.setLayers(discriminatorGeometry(DiscriminatorOptions{}));
        view.setOpacity(0.0);  // the image alone shows, so the outline is the only change
        view.setHoveredCell(0, 29);
        canvas.fill(Qt::black);
        view.render(&canvas);
        // Cell (0, 29): block x [240, 248) of the image, field x [209, 255]: the field's left edge is 31
        // image pixels left of the block.
        const QRectF block = view.cellRectInWidget(0, 29);
        const double scale = block.width() / 8.0;
        const int edgeX = int(std::lround(block.left() - 31 * scale));
        const int midY = int(std::lround(block.top() + 10 * scale));  // field rows [0, 46]
        int brightest = 0;
        for (int dx = -1; dx <= 1; ++dx)
            brightest = std::max(brightest, qGray(canvas.pixel(edgeX + dx, midY)));
        QVERIFY2(brightest > 200, qPrintable(QString("brightest %1").arg(brightest)));
        // Far from the field the image is untouched.
        const int farX = int(std::lround(block.left() - 150 * scale)),
                  farY = int(std::lround(block.top() + 150 * scale));
        QCOMPARE(qGray(canvas.pixel(farX, farY)), 120);
    }
};

QTEST_MAIN(TestTrainingHeatmap)
#include "test_training_heatmap.moc"
