"""Root-cause diagnosis of incidents: the inputs gathered from the store (:mod:`.gather`),
the diagnosis run, stored and put on the timeline (:mod:`.runs`)."""
