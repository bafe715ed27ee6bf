#include "core/nn/network_options.h"

#include "core/common/error.h"

namespace p2p {

std::string toString(Norm norm) {
    switch (norm) {
        case Norm::Batch: return "batch";
        case Norm::Instance: return "instance";
        case Norm::None: return "none";
    }
    return "batch";
}

Norm normFromString(const std::string& name) {
    if (name == "batch") return Norm::Batch;
    if (name == "instance") return Norm::Instance;
    if (name == "none") return Norm::None;
    throw Error("unknown norm '" + name + "' (expected batch, instance or none)");
}

std::string toString(Upsample upsample) {
    switch (upsample) {
        case Upsample::Transposed: return "transposed";
        case Upsample::Resize: return "resize";
    }
    return "transposed";
}

Upsample upsampleFromString(const std::string& name) {
    if (name == "transposed") return Upsample::Transposed;
    if (name == "resize") return Upsample::Resize;
    throw Error("unknown upsample '" + name + "' (expected transposed or resize)");
}

int GeneratorOptions::numDowns() const {
    if (netG == "unet_256") return 8;
    if (netG == "unet_128") return 7;
    throw Error("unknown netG '" + netG + "' (expected unet_256 or unet_128)");
}

void GeneratorOptions::validate() const {
    numDowns();
    if (input_nc < 1 || input_nc > 64) throw Error("input_nc must be in 1..64, got " + std::to_string(input_nc));
    if (output_nc < 1 || output_nc > 64) throw Error("output_nc must be in 1..64, got " + std::to_string(output_nc));
    if (ngf < 1 || ngf > 512) throw Error("ngf must be in 1..512, got " + std::to_string(ngf));
    if (upsample != Upsample::Transposed && upsample != Upsample::Resize)
        throw Error("upsample must be transposed or resize, got " + std::to_string(int(upsample)));
}

nlohmann::json GeneratorOptions::toJson() const {
    nlohmann::json j = {{"netG", netG}, {"input_nc", input_nc}, {"output_nc", output_nc},
                        {"ngf", ngf},   {"norm", toString(norm)}, {"dropout", dropout}};
    if (upsample != Upsample::Transposed) j["upsample"] = toString(upsample);
    return j;
}

GeneratorOptions GeneratorOptions::fromJson(const nlohmann::json& j) {
    GeneratorOptions o;
    try {
        o.netG = j.value("netG", o.netG);
        o.input_nc = j.value("input_nc", o.input_nc);
        o.output_nc = j.value("output_nc", o.output_nc);
        o.ngf = j.value("ngf", o.ngf);
        o.norm = normFromString(j.value("norm", toString(o.norm)));
        o.dropout = j.value("dropout", o.dropout);
        o.upsample = upsampleFromString(j.value("upsample", toString(o.upsample)));
    } catch (const nlohmann::json::exception& e) {
        throw Error(std::string("bad generator options: ") + e.what());
    }
    o.validate();
    return o;
}

std::string GeneratorOptions::describe() const {
    return netG + ", ngf " + std::to_string(ngf) + ", " + toString(norm) + " norm" +
           (dropout ? ", dropout" : "") +
           (input_nc != 3 || output_nc != 3
                ? ", " + std::to_string(input_nc) + "->" + std::to_string(output_nc) + " channels"
                : "") +
           (upsample == Upsample::Resize ? ", resize upsampling" : "");
}

bool GeneratorOptions::operator==(const GeneratorOptions& o) const {
    return netG == o.netG && input_nc == o.input_nc && output_nc == o.output_nc && ngf == o.ngf &&
           norm == o.norm && dropout == o.dropout && upsample == o.upsample;
}

void DiscriminatorOptions::validate() const {
    if (netD != "basic" && netD != "n_layers" && netD != "pixel")
        throw Error("unknown netD '" + netD + "' (expected basic, n_layers or pixel)");
    if (netD == "n_layers" && (n_layers < 1 || n_layers > 5))
        throw Error("n_layers_D must be in 1..5, got " + std::to_string(n_layers));
    if (input_nc < 1 || input_nc > 128) throw Error("D input_nc must be in 1..128, got " + std::to_string(input_nc));
    if (ndf < 1 || ndf > 512) throw Error("ndf must be in 1..512, got " + std::to_string(ndf));
}

nlohmann::json DiscriminatorOptions::toJson() const {
    return {{"netD", netD}, {"input_nc", input_nc}, {"ndf", ndf}, {"n_layers", n_layers}, {"norm", toString(norm)}};
}

DiscriminatorOptions DiscriminatorOptions::fromJson(const nlohmann::json& j) {
    DiscriminatorOptions o;
    try {
        o.netD = j.value("netD", o.netD);
        o.input_nc = j.value("input_nc", o.input_nc);
        o.ndf = j.value("ndf", o.ndf);
        o.n_layers = j.value("n_layers", o.n_layers);
        o.norm = normFromString(j.value("norm", toString(o.norm)));
    } catch (const nlohmann::json::exception& e) {
        throw Error(std::string("bad discriminator options: ") + e.what());
    }
    o.validate();
    return o;
}

std::string DiscriminatorOptions::describe() const {
    std::string kind = netD == "pixel" ? "pixel (1x1)"
                                       : "PatchGAN n_layers " + std::to_string(effectiveLayers());
    return kind + ", ndf " + std::to_string(ndf) + ", " + toString(norm) + " norm, in " + std::to_string(input_nc);
}

bool DiscriminatorOptions::operator==(const DiscriminatorOptions& o) const {
    return netD == o.netD && input_nc == o.input_nc && ndf == o.ndf && effectiveLayers() == o.effectiveLayers() &&
           norm == o.norm;
}

}  // namespace p2p
