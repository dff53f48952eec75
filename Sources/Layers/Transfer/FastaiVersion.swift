// FastaiVersion: which fastai's semantics a model follows — 0.7, v1 (1.0.61+) or v2 (2.8).

public enum FastaiVersion: String, CaseIterable, Sendable {
    case v07 = "fastai07"
    case v1 = "fastai1"
    case v2 = "fastai2"
}
