// The class list's secondary colour: a right-click picks the secondary row without moving the primary one,
// the indicator names both, and bindPalette keeps the list and the canvas in step both ways (rows set the
// canvas's colours; swapColours and setSecondaryColour select rows), down to what the eraser paints.

#include <QtTest/QtTest>

#include <QListWidget>
#include <QToolButton>

#include <opencv2/core.hpp>

#include "ui/canvas/canvas_view.h"
#include "ui/canvas/label_document.h"
#include "ui/canvas/palette_binding.h"
#include "ui/palette_widget.h"

using namespace p2p::ui;

namespace {

const QVector<PaletteEntry> kEntries{{QStringLiteral("background"), QColor(0, 0, 170)},
                                     {QStringLiteral("facade"), QColor(0, 85, 255)},
                                     {QStringLiteral("window"), QColor(0, 170, 255)},
                                     {QStringLiteral("door"), QColor(255, 170, 0)}};

cv::Vec3b bgr(const QColor& c) {
    return {uchar(c.blue()), uchar(c.green()), uchar(c.red())};
}

}  // namespace

class TestPalette : public QObject {
    Q_OBJECT

    PaletteWidget* palette_ = nullptr;

    QListWidget* list() const { return palette_->findChild<QListWidget*>(); }
    void clickRow(int row, Qt::MouseButton button) {
        const QPoint centre = list()->visualItemRect(list()->item(row)).center();
        QTest::mouseClick(list()->viewport(), button, {}, centre);
    }

private Q_SLOTS:
    void init() {
        palette_ = new PaletteWidget;
        palette_->setEntries(kEntries);
        palette_->resize(220, 320);
        palette_->show();
        QVERIFY(QTest::qWaitForWindowExposed(palette_));
    }
    void cleanup() { delete palette_; }

    void rightClickPicksTheSecondaryRow() {
        palette_->setCurrentIndex(2);
        QSignalSpy primary(palette_, &PaletteWidget::currentIndexChanged);
        QSignalSpy secondary(palette_, &PaletteWidget::secondaryIndexChanged);
        clickRow(1, Qt::RightButton);
        QCOMPARE(palette_->secondaryIndex(), 1);
        QCOMPARE(secondary.count(), 1);
        QCOMPARE(secondary.at(0).at(0).toInt(), 1);
        QCOMPARE(palette_->currentIndex(), 2);  // the primary row stays
        QCOMPARE(primary.count(), 0);
        QCOMPARE(palette_->pairText(), QStringLiteral("window / facade"));
        clickRow(1, Qt::RightButton);  // the same row again: no change
        QCOMPARE(secondary.count(), 1);
        clickRow(3, Qt::LeftButton);  // the left button still picks the primary row
        QCOMPARE(palette_->currentIndex(), 3);
        QCOMPARE(palette_->secondaryIndex(), 1);
    }

    void newEntriesHaveNoSecondaryYet() {
        palette_->setSecondaryIndex(1);
        QSignalSpy secondary(palette_, &PaletteWidget::secondaryIndexChanged);
        palette_->setEntries(kEntries.mid(0, 2));
        QCOMPARE(palette_->secondaryIndex(), -1);
        QCOMPARE(secondary.count(), 0);
        palette_->setSecondaryIndex(5);  // out of range: ignored
        QCOMPARE(palette_->secondaryIndex(), -1);
    }

    void indexOfFindsExactColours() {
        QCOMPARE(palette_->indexOf(QColor(0, 170, 255)), 2);
        QCOMPARE(palette_->indexOf(QColor(0, 170, 254)), -1);
    }

    void swapButtonAsksForASwap() {
        auto* swap = palette_->findChild<QToolButton*>();
        QVERIFY(swap);
        QSignalSpy asked(palette_, &PaletteWidget::swapRequested);
        swap->click();
        QCOMPARE(asked.count(), 1);
    }

    void bindingKeepsPaletteAndCanvasInStep() {
        LabelDocument doc;
        doc.reset(cv::Mat(16, 16, CV_8UC3, cv::Scalar(255, 170, 0)), CanvasKind::FacadeLabels);
        CanvasView canvas;
        canvas.setDocument(&doc);
        bindPalette(palette_, &canvas);

        clickRow(2, Qt::LeftButton);
        QCOMPARE(canvas.colour(), bgr(kEntries[2].colour));
        clickRow(1, Qt::RightButton);
        QCOMPARE(canvas.secondaryColour(), bgr(kEntries[1].colour));

        // X on the canvas swaps; the rows follow.
        canvas.swapColours();
        QCOMPARE(palette_->currentIndex(), 1);
        QCOMPARE(palette_->secondaryIndex(), 2);
        QCOMPARE(canvas.colour(), bgr(kEntries[1].colour));
        // The indicator's button swaps back.
        palette_->findChild<QToolButton*>()->click();
        QCOMPARE(palette_->currentIndex(), 2);
        QCOMPARE(palette_->secondaryIndex(), 1);
        QCOMPARE(canvas.secondaryColour(), bgr(kEntries[1].colour));

        // The window's default ("facade" on a label canvas) set on the canvas shows in the list.
        canvas.setSecondaryColour(bgr(kEntries[3].colour));
        QCOMPARE(palette_->secondaryIndex(), 3);
        canvas.setSecondaryColour(cv::Vec3b(1, 2, 3));  // no such row: the list stays
        QCOMPARE(palette_->secondaryIndex(), 3);

        // End to end: right-click "facade", erase, and the eraser painted facade.
        clickRow(1, Qt::RightButton);
        canvas.resize(200, 200);
        canvas.show();
        QVERIFY(QTest::qWaitForWindowExposed(&canvas));
        canvas.setTool(Tool::Eraser);
        canvas.setBrushSize(1);
        QTest::mouseClick(&canvas, Qt::LeftButton, {},
                          canvas.mapFromImage(QRectF(5, 5, 1, 1)).center().toPoint());
        QCOMPARE(doc.image().at<cv::Vec3b>(5, 5), bgr(kEntries[1].colour));
    }
};

QTEST_MAIN(TestPalette)
#include "test_ui_palette.moc"
