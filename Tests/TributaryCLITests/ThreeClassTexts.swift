/// A `text,label` CSV of `documents` toy documents of three classes (sport, tech, food, in turn): eight words
/// drawn from the class's eight by a 64-bit LCG started at `seed`, then three stop words shared by all classes.
func threeClassTexts(documents: Int, seed: UInt64) -> String {
    let words = ["sport": ["goal", "match", "team", "player", "score", "win", "league", "cup"],
                 "tech": ["computer", "software", "chip", "network", "data", "code", "phone", "web"],
                 "food": ["bread", "cheese", "wine", "apple", "soup", "salt", "cook", "meal"]]
    var csv = "text,label\n", state = seed
    for i in 0 ..< documents {
        let label = ["sport", "tech", "food"][i % 3]
        let line = (0 ..< 8).map { _ -> String in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return words[label]![Int(state >> 33) % 8]
        }
        csv += line.joined(separator: " ") + " the and of," + label + "\n"
    }
    return csv
}
