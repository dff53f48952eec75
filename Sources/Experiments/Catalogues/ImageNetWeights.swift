// ImageNetWeights: torchvision's ImageNet checkpoints for every architecture Runner builds — URL, file name and the SHA-256 prefix it carries.

/// torch.hub names each file `<name>-<first 8 hex digits of its SHA-256>.pth` and checks that
/// prefix after downloading; Runner does the same. `V1` is what `pretrained=True` meant and what
/// fastai's `cnn_learner` loads, so it is the default; torchvision's newer recipes are `V2`.
public struct ImageNetWeights: Equatable, Sendable {
    public var arch: ArchitectureName
    /// torchvision's enum member without the `IMAGENET1K_` prefix: V1 or V2.
    public var variant: String
    public var url: String

    public static let base = "https://download.pytorch.org/models/"

    public init(arch: ArchitectureName, variant: String, url: String) {
        self.arch = arch
        self.variant = variant
        self.url = url
    }

    /// The file name in the URL, e.g. `resnet34-b627a593.pth`.
    public var fileName: String { URLFileName.of(url) }
    /// The SHA-256 prefix in the file name, e.g. `b627a593`.
    public var sha256Prefix: String {
        let stem = fileName.hasSuffix(".pth") ? String(fileName.dropLast(4)) : fileName
        return String(stem.split(separator: "-").last ?? "")
    }
    /// The converted copy kept beside the download.
    public var safetensorsName: String { String(fileName.dropLast(4)) + ".safetensors" }

    static func entry(_ arch: ArchitectureName, _ file: String, _ variant: String = "V1") -> ImageNetWeights {
        ImageNetWeights(arch: arch, variant: variant, url: base + file)
    }

    public static let all: [ImageNetWeights] = [
        entry(.resnet18, "resnet18-f37072fd.pth"),
        entry(.resnet34, "resnet34-b627a593.pth"),
        entry(.resnet50, "resnet50-0676ba61.pth"), entry(.resnet50, "resnet50-11ad3fa6.pth", "V2"),
        entry(.resnet101, "resnet101-63fe2227.pth"), entry(.resnet101, "resnet101-cd907fc2.pth", "V2"),
        entry(.resnet152, "resnet152-394f9c45.pth"), entry(.resnet152, "resnet152-f82ba261.pth", "V2"),
        entry(.vgg11_bn, "vgg11_bn-6002323d.pth"),
        entry(.vgg13_bn, "vgg13_bn-abd245e5.pth"),
        entry(.vgg16_bn, "vgg16_bn-6c64b313.pth"),
        entry(.vgg19_bn, "vgg19_bn-c79401a0.pth"),
        entry(.alexnet, "alexnet-owt-7be5be79.pth"),
        entry(.squeezenet1_0, "squeezenet1_0-b66bff10.pth"),
        entry(.squeezenet1_1, "squeezenet1_1-b8a52dc0.pth"),
        entry(.densenet121, "densenet121-a639ec97.pth"),
        entry(.densenet161, "densenet161-8d451a50.pth"),
        entry(.densenet169, "densenet169-b2777c0a.pth"),
        entry(.densenet201, "densenet201-c1103571.pth"),
        entry(.mobilenet_v2, "mobilenet_v2-b0353104.pth"), entry(.mobilenet_v2, "mobilenet_v2-7ebf99e0.pth", "V2"),
    ]

    public static func variants(of arch: ArchitectureName) -> [ImageNetWeights] { all.filter { $0.arch == arch } }

    /// `nil` variant: V1. Accepts `V2`, `v2` and torchvision's `IMAGENET1K_V2`.
    public static func find(_ arch: ArchitectureName, variant: String?) -> ImageNetWeights? {
        var name = (variant ?? "V1").uppercased()
        if name.hasPrefix("IMAGENET1K_") { name = String(name.dropFirst("IMAGENET1K_".count)) }
        return variants(of: arch).first { $0.variant == name }
    }
}
