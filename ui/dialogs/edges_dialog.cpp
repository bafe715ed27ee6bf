#include "ui/dialogs/edges_dialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QSlider>
#include <QSpinBox>
#include <QVBoxLayout>

#include <algorithm>

#include <opencv2/imgproc.hpp>

#include "ui/image_convert.h"

namespace p2p::ui {

namespace {
constexpr int kPreviewSide = 360;
}

cv::Mat EdgesDialog::resizedPhoto(const cv::Mat& photo, int longestSide) {
    const int longest = std::max(photo.cols, photo.rows);
    if (longestSide <= 0 || longest <= longestSide) return photo;
    const double s = double(longestSide) / longest;
    cv::Mat out;
    cv::resize(photo, out,
               cv::Size(std::max(1, int(std::lround(photo.cols * s))),
                        std::max(1, int(std::lround(photo.rows * s)))),
               0, 0, cv::INTER_AREA);
    return out;
}

EdgesDialog::EdgesDialog(const cv::Mat& photo, const QString& name, QWidget* parent)
    : QDialog(parent), photo_(photo) {
    setWindowTitle(tr("Open Photo as Edges — %1").arg(name));
    const EdgeOptions defaults;

    threshold_ = new QSlider(Qt::Horizontal, this);
    threshold_->setRange(5, 250);
    threshold_->setValue(int(defaults.low));
    threshold_->setToolTip(tr("Canny's lower threshold; the upper one is twice it. Lower finds more edges."));
    thresholdValue_ = new QLabel(this);
    thresholdValue_->setMinimumWidth(QFontMetrics(font()).horizontalAdvance(QStringLiteral("000 / 000")));
    auto* thresholdRow = new QHBoxLayout;
    thresholdRow->addWidget(threshold_, 1);
    thresholdRow->addWidget(thresholdValue_);

    thickness_ = new QSpinBox(this);
    thickness_->setRange(1, 5);
    thickness_->setValue(defaults.thickness);
    thickness_->setSuffix(tr(" px"));

    size_ = new QComboBox(this);
    const int longest = std::max(photo.cols, photo.rows);
    for (int side : {256, 512}) {
        if (side < longest) size_->addItem(tr("Longest side %1 px").arg(side), side);
    }
    size_->addItem(tr("Original (%1 × %2)").arg(photo.cols).arg(photo.rows), 0);

    preview_ = new QLabel(this);
    preview_->setAlignment(Qt::AlignCenter);
    preview_->setMinimumSize(kPreviewSide, kPreviewSide);
    preview_->setFrameShape(QFrame::StyledPanel);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto* form = new QFormLayout;
    form->addRow(tr("&Threshold:"), thresholdRow);
    form->addRow(tr("&Line width:"), thickness_);
    form->addRow(tr("&Size:"), size_);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(preview_, 1);
    layout->addLayout(form);
    layout->addWidget(buttons);

    connect(threshold_, &QSlider::valueChanged, this, &EdgesDialog::recompute);
    connect(thickness_, &QSpinBox::valueChanged, this, &EdgesDialog::recompute);
    connect(size_, &QComboBox::currentIndexChanged, this, &EdgesDialog::recompute);
    recompute();
}

EdgeOptions EdgesDialog::options() const {
    EdgeOptions o;
    o.low = threshold_->value();
    o.high = 2.0 * threshold_->value();
    o.thickness = thickness_->value();
    return o;
}

int EdgesDialog::longestSide() const {
    return size_->currentData().toInt();
}

void EdgesDialog::recompute() {
    const EdgeOptions o = options();
    thresholdValue_->setText(QStringLiteral("%1 / %2").arg(int(o.low)).arg(int(o.high)));
    edges_ = photoToEdges(resizedPhoto(photo_, longestSide()), o);
    const QImage image = matToQImage(edges_);
    preview_->setPixmap(QPixmap::fromImage(
        image.scaled(QSize(kPreviewSide, kPreviewSide), Qt::KeepAspectRatio, Qt::SmoothTransformation)));
}

}  // namespace p2p::ui
