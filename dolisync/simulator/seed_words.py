"""Word lists the seeded data is built from (realistic enough for demos and benchmarks)."""

from __future__ import annotations

from typing import Final

BUSINESSES: Final = (
    "Boulangerie", "Garage", "Pharmacie", "Hotel", "Restaurant", "Cabinet", "Atelier",
    "Librairie", "Clinique", "Fromagerie", "Imprimerie", "Pressing", "Brasserie", "Salon",
)  # fmt: skip
SURNAMES: Final = (
    "Dupont", "Martin", "Bernard", "Petit", "Durand", "Leroy", "Moreau", "Simon", "Laurent",
    "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier",
    "Morel", "Girard", "Andre", "Mercier", "Blanc", "Guerin", "Boyer", "Garnier", "Chevalier",
)  # fmt: skip
FIRSTNAMES: Final = (
    "Alice", "Bruno", "Chloe", "David", "Emma", "Farid", "Julie", "Hugo", "Ines", "Jules",
    "Karim", "Lea", "Marc", "Nina", "Oscar", "Paula", "Quentin", "Rose", "Samir", "Zoe",
)  # fmt: skip
TOWNS: Final = (
    ("75011", "Paris"), ("69007", "Lyon"), ("13001", "Marseille"), ("31000", "Toulouse"),
    ("44000", "Nantes"), ("67000", "Strasbourg"), ("33000", "Bordeaux"), ("59000", "Lille"),
)  # fmt: skip
STREETS: Final = ("rue des Lilas", "avenue Jean Jaures", "boulevard Voltaire", "place du Marche")
EQUIPMENT: Final = (
    "oven", "printer", "dishwasher", "cash register", "freezer", "router", "coffee machine",
    "label printer", "badge reader", "air conditioner", "scale", "payment terminal",
)  # fmt: skip
PROBLEMS: Final = (
    "does not start", "makes a strange noise", "shows error E{code}", "is leaking",
    "stopped working", "is very slow", "needs a yearly check", "does not connect",
)  # fmt: skip
REPLIES: Final = (
    "Thank you, we are looking into it.",
    "A technician is booked for {day} morning.",
    "Could you send a photo of the error screen?",
    "The spare part has been ordered.",
    "Remote session done: please restart the {equipment}.",
    "Issue fixed on site, please confirm.",
)
PRIVATE_NOTES: Final = (
    "Internal: check warranty status.",
    "Internal: customer called twice, be quick.",
    "Internal: bring a spare {equipment} part.",
)
DAYS: Final = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
