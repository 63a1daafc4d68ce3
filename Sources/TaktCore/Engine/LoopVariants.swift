/// Types that pick a copy of the event loop, so that a test known for the whole run is made
/// once, when the loop is chosen, instead of at every event.

/// Whether the loop tells deciders of every event.
protocol EventFollowing { static var on: Bool { get } }
enum FollowEvents: EventFollowing { static var on: Bool { true } }
enum IgnoreEvents: EventFollowing { static var on: Bool { false } }

/// Whether the plant may have part types, setups, batches, assembly, disciplines, delays or
/// servers that pull their work (`Replication.rich`). In the copy for plain plants the hot
/// paths' tests for them are constant false and compiled away; every other path tests the
/// flags themselves (the non-generic forms use `RichPlant`), which is right for any plant.
protocol PlantFeatures { static var rich: Bool { get } }
enum RichPlant: PlantFeatures { static var rich: Bool { true } }
enum PlainPlant: PlantFeatures { static var rich: Bool { false } }
