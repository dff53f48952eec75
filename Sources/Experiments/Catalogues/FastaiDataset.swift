// FastaiDataset: the image-classification datasets fastai's `URLs` names, with their archives, checks and folder layouts.

/// `size` and `md5OfFirstMiB` are fastai's own check (`checks.txt`: the archive's size and the MD5
/// of its first 2^20 bytes), which Runner verifies before unpacking. `folder` is where the images
/// are inside the unpacked archive, and `labels`/`valid` how fastai's lessons read them; a config
/// may override each.
public struct FastaiDataset: Equatable, Sendable {
    public var name: String
    public var url: String
    public var size: Int64
    public var md5OfFirstMiB: String
    public var folder: String
    public var labels: LabelsConfig
    public var valid: ValidSplit
    /// nil where the class count is not fixed by the layout alone.
    public var classes: Int?

    public var archiveName: String { URLFileName.of(url) }

    static let imageClassification = "https://s3.amazonaws.com/fast-ai-imageclas/"

    public static let all: [FastaiDataset] = [
        FastaiDataset(name: "oxford-iiit-pet", url: imageClassification + "oxford-iiit-pet.tgz", size: 811_706_944,
                      md5OfFirstMiB: "e4db5c768afd933bb91f5f594d7417a4", folder: "oxford-iiit-pet/images",
                      labels: .filename(pattern: #"^(.+)_\d+\.jpg$"#), valid: Preset.valid, classes: 37),
        FastaiDataset(name: "mnist_png", url: imageClassification + "mnist_png.tgz", size: 15_683_414,
                      md5OfFirstMiB: "03639f83c4e3d19e0a3a53a8a997c487", folder: "mnist_png",
                      labels: .folder, valid: .folder("testing", train: "training"), classes: 10),
        FastaiDataset(name: "imagenette2-160", url: imageClassification + "imagenette2-160.tgz", size: 99_003_388,
                      md5OfFirstMiB: "c475f8f7617a200ba35b9facc48443c3", folder: "imagenette2-160",
                      labels: .folder, valid: .folder("val", train: "train"), classes: 10),
        FastaiDataset(name: "imagenette2-320", url: imageClassification + "imagenette2-320.tgz", size: 341_663_724,
                      md5OfFirstMiB: "1f1f74f133caff120e575856659b87a2", folder: "imagenette2-320",
                      labels: .folder, valid: .folder("val", train: "train"), classes: 10),
        FastaiDataset(name: "imagewoof2-160", url: imageClassification + "imagewoof2-160.tgz", size: 92_612_825,
                      md5OfFirstMiB: "3559b194123981a540b87132dbda412f", folder: "imagewoof2-160",
                      labels: .folder, valid: .folder("val", train: "train"), classes: 10),
        FastaiDataset(name: "caltech_101", url: imageClassification + "caltech_101.tgz", size: 131_740_031,
                      md5OfFirstMiB: "d673425306e98ee4619fcdeef8a0e876", folder: "caltech_101",
                      labels: .folder, valid: Preset.valid, classes: nil),
        FastaiDataset(name: "cifar100", url: imageClassification + "cifar100.tgz", size: 169_168_619,
                      md5OfFirstMiB: "e5e65dcb54b9d3913f7b8a9ad6607e62", folder: "cifar100",
                      labels: .folder, valid: .folder("test", train: "train"), classes: nil),
    ]

    public static func named(_ name: String) -> FastaiDataset? { all.first { $0.name == name } }
}
