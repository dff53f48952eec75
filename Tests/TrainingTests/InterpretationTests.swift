// InterpretationTests: the confusion matrix, most_confused and top_losses of fastai's ClassificationInterpretation, on a hand-made set.

@testable import Training
import XCTest

final class InterpretationTests: XCTestCase {
    private let interpretation = Interpretation(job: "main", classes: ["cat", "dog", "fox"], items: [
        .init(path: "a", actual: 0, predicted: 0, loss: 0.1, probability: 0.9),
        .init(path: "b", actual: 0, predicted: 1, loss: 2.0, probability: 0.8),
        .init(path: "c", actual: 0, predicted: 1, loss: 1.5, probability: 0.7),
        .init(path: "d", actual: 1, predicted: 2, loss: 3.0, probability: 0.9),
        .init(path: "e", actual: 2, predicted: 2, loss: 0.2, probability: 0.8),
        .init(path: "f", actual: 2, predicted: 0, loss: 1.5, probability: 0.6),
    ])

    func testTheConfusionMatrixHasActualRowsAndPredictedColumns() {
        XCTAssertEqual(interpretation.confusionMatrix, [[1, 2, 0], [0, 0, 1], [1, 0, 1]])
        XCTAssertEqual(interpretation.accuracy, 2.0 / 6.0)
    }

    func testMostConfusedIsByCountThenName() {
        XCTAssertEqual(interpretation.mostConfused().map { "\($0.actual)>\($0.predicted):\($0.count)" },
                       ["cat>dog:2", "dog>fox:1", "fox>cat:1"])
        XCTAssertEqual(interpretation.mostConfused(minimum: 2).count, 1)
    }

    func testTopLossesAreHighestFirstTiesInOrder() {
        XCTAssertEqual(interpretation.topLosses(4).map(\.path), ["d", "b", "c", "f"])
    }
}
