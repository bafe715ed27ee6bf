#include "ui/dialogs/architecture_dialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileInfo>
#include <QFormLayout>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>

namespace p2p::ui {

ArchitectureDialog::ArchitectureDialog(const QString& path, const QString& reason, QWidget* parent)
    : QDialog(parent) {
    setWindowTitle(tr("Generator Architecture"));
    auto* intro =
        new QLabel(tr("<b>%1</b> does not say which generator it holds. "
                      "Give the options it was trained with (the reference's --netG, --ngf, --norm).")
                       .arg(QFileInfo(path).fileName().toHtmlEscaped()),
                   this);
    intro->setWordWrap(true);
    auto* why = new QLabel(reason, this);
    why->setWordWrap(true);
    why->setEnabled(false);

    const GeneratorOptions defaults;
    netG_ = new QComboBox(this);
    netG_->addItems({QStringLiteral("unet_256"), QStringLiteral("unet_128")});
    ngf_ = new QSpinBox(this);
    ngf_->setRange(1, 1024);
    ngf_->setValue(defaults.ngf);
    norm_ = new QComboBox(this);
    norm_->addItems({QStringLiteral("batch"), QStringLiteral("instance"), QStringLiteral("none")});
    dropout_ = new QCheckBox(tr("Trained with dropout (the pix2pix default)"), this);
    dropout_->setChecked(defaults.dropout);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Load"));
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto* form = new QFormLayout(this);
    form->addRow(intro);
    form->addRow(tr("net&G:"), netG_);
    form->addRow(tr("n&gf:"), ngf_);
    form->addRow(tr("&norm:"), norm_);
    form->addRow(dropout_);
    form->addRow(why);
    form->addRow(buttons);
}

GeneratorOptions ArchitectureDialog::options() const {
    GeneratorOptions o;
    o.netG = netG_->currentText().toStdString();
    o.ngf = ngf_->value();
    o.norm = normFromString(norm_->currentText().toStdString());
    o.dropout = dropout_->isChecked();
    return o;
}

}  // namespace p2p::ui
