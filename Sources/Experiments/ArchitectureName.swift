// ArchitectureName: the torchvision constructors Runner can build, by their torchvision names.

public enum ArchitectureName: String, CaseIterable, Equatable, Sendable {
    case resnet18, resnet34, resnet50, resnet101, resnet152
    case vgg11_bn, vgg13_bn, vgg16_bn, vgg19_bn
    case alexnet
    case squeezenet1_0, squeezenet1_1
    case densenet121, densenet161, densenet169, densenet201
    case mobilenet_v2
}
