#!/usr/bin/env python3
"""Writes sample-data/reviews.csv: the bundled sample of movie reviews for the embedded default job.

    python3 sample-data/make_sample_reviews.py

The reviews are composed for this project from the phrase lists below (fictional films, fixed seed), so the
file is reproducible and owes nothing to any dataset. Each review has a star rating from 1 to 10 and a label
following the IMDB convention: 7 or more stars is "positive", 4 or fewer "negative", 5 and 6 unlabeled.
Lengths vary from one line to several paragraphs; some reviews run past 512 tokens.
"""

import csv
import datetime
import os
import random

SEED = 7
COUNT = 320

TITLES = [
    "The Last Lighthouse", "Copper Sky", "Midnight at the Grand Vireo", "A Quiet Harvest", "Steel Tide",
    "The Glass Orchard", "Northbound", "Paper Kings", "The Winter Ledger", "Echoes of Marrow Street",
    "Velvet Static", "The Cartographer's Daughter", "Ashfall", "Lantern Season", "The Ninth Tenant",
    "Saltwater Hymn", "Dead Reckoning Road", "The Understudy", "Blue Hour Diner", "Kingdom of Small Things",
]
GENRES = ["drama", "thriller", "comedy", "science fiction film", "western", "horror film", "romance",
          "war film", "mystery", "family film", "musical", "crime story"]
PEOPLE = ["the lead", "the young newcomer", "the veteran actor", "the supporting cast", "the villain",
          "the director", "the screenwriter", "the composer", "the cinematographer", "the editor"]

OPENINGS = {
    "pos": ["I went in with low expectations and walked out grinning.",
            "This is the kind of {genre} I wish they still made every year.",
            "{title} is a small miracle of a {genre}.",
            "I have seen {title} twice now and liked it even more the second time.",
            "What a pleasant surprise {title} turned out to be.",
            "Few films this year have stayed with me like {title}."],
    "neg": ["I really wanted to like {title}, but it lost me early.",
            "{title} is the kind of {genre} that makes you check your watch.",
            "I can't remember the last time a {genre} bored me this much.",
            "Save your money and skip {title}.",
            "{title} promises a lot in its trailer and delivers almost none of it.",
            "I walked out of {title} halfway through, and I rarely do that."],
    "mid": ["{title} is a mixed bag.",
            "I have complicated feelings about {title}.",
            "{title} is fine, I suppose, for a rainy afternoon.",
            "There is a good {genre} buried somewhere inside {title}."],
}
PLOT = ["The story follows a {role} who returns to a coastal town after twenty years away.",
        "It is about two estranged sisters who inherit a failing hotel.",
        "The plot centres on a detective chasing a forger across three countries.",
        "A crew of miners discovers something under the ice that should have stayed buried.",
        "An aging singer prepares for one last concert while her family falls apart around her.",
        "A group of teenagers spends one long summer night trying to find a missing dog.",
        "A disgraced pilot agrees to fly a mysterious cargo through a storm.",
        "A widowed farmer and a travelling teacher strike up an unlikely friendship.",
        "The film tracks a con artist who accidentally becomes the mayor of a small town."]
ROLES = ["nurse", "boxer", "mapmaker", "schoolteacher", "chef", "soldier", "lawyer", "violinist"]
PRAISE = ["{person} gives a performance of real warmth and precision.",
          "The script is sharp, funny and surprisingly moving.",
          "Every frame looks gorgeous; the photography alone is worth the ticket.",
          "The pacing is superb, and not a single scene feels wasted.",
          "The score is haunting and I have been humming it all week.",
          "The dialogue feels natural, the characters feel like real people.",
          "It builds to an ending that is earned, honest and beautifully played.",
          "{person} is terrific, funny one moment and heartbreaking the next.",
          "The chemistry between the two leads is wonderful to watch.",
          "It is clever without ever being smug, and tender without being sappy.",
          "The action scenes are thrilling and easy to follow.",
          "I laughed out loud more times than I can count.",
          "The world-building is rich and the details reward a second viewing.",
          "A brilliant, confident piece of filmmaking."]
CRITICISM = ["{person} seems bored in nearly every scene.",
             "The script is a mess of clichés and dialogue nobody would ever say.",
             "It looks cheap, with murky lighting and clumsy editing.",
             "The pacing is glacial; the middle hour goes nowhere.",
             "The music is loud and tells you what to feel in every scene.",
             "The characters are flat and I never cared what happened to any of them.",
             "The ending is rushed, confusing and frankly insulting.",
             "{person} is badly miscast and it drags the whole film down.",
             "The jokes fall flat, one after another.",
             "The plot holes are big enough to drive a truck through.",
             "The special effects are dated and distracting.",
             "It is dull, predictable and far too long.",
             "Nothing in it makes sense, and not in an interesting way.",
             "A lazy, forgettable waste of a good premise."]
MIXED = ["The first half is strong, but the second half falls apart.",
         "{person} is good, though the material lets them down.",
         "It looks lovely, yet the story never quite comes alive.",
         "Some of the jokes land and some really do not.",
         "It is not bad, exactly, just not memorable either.",
         "I admired the ambition more than I enjoyed the result."]
CLOSINGS = {
    "pos": ["Highly recommended.", "Go see it on the biggest screen you can find.", "A real gem: {stars}/10.",
            "One of the best films of the year.", "I will be thinking about it for a long time.",
            "Bring tissues, and bring a friend."],
    "neg": ["Avoid.", "Not recommended.", "{stars}/10, and I am being generous.",
            "One of the worst films I have seen this year.", "Wait for it to show up on TV, or better, don't.",
            "What a disappointment."],
    "mid": ["Worth a look if you are a fan of the genre.", "{stars}/10: watchable, no more.",
            "Your mileage may vary.", "I wanted to love it; I only liked parts of it."],
}
EVENTS = ["the two brothers finally talk in the rain", "the storm hits the harbour", "the trial begins",
          "she opens the letter", "the heist goes wrong", "the band plays its first real gig",
          "the family sits down for the last dinner", "the car breaks down in the desert",
          "the old man teaches the boy to fish", "the ship leaves port", "the lights go out in the hotel",
          "the chase moves onto the rooftops", "the mayor gives his speech", "the twins swap places"]
SCENE_VERDICTS = {
    "pos": ["is beautifully staged", "had the whole audience holding its breath", "is quietly devastating",
            "is a masterclass in tension", "is funny and sad at the same time", "is worth the price of admission"],
    "neg": ["is clumsy and overlong", "made the audience laugh for the wrong reasons", "feels completely unearned",
            "is edited so badly you cannot tell who is where", "drags on forever", "is borrowed from better films"],
    "mid": ["works better than it should", "almost lands", "is handsome but hollow", "goes on a bit too long"],
}
ASIDES = ["My partner disagreed with me on the drive home, which is always a good sign of something.",
          "The theatre was half empty on a Friday night.",
          "I watched it at home with the sound turned up.",
          "A few people around me were checking their phones.",
          "The trailer gives away far too much, so avoid it if you can.",
          "It runs a little over two hours.",
          "I read the novel years ago and remembered almost nothing of it going in.",
          "The opening credits sequence is worth arriving on time for."]


def sentiment_of(stars):
    return "pos" if stars >= 7 else "neg" if stars <= 4 else "mid"


def fill(rng, template, title, genre, stars):
    text = template.format(title=title, genre=genre, stars=stars, person=rng.choice(PEOPLE),
                           role=rng.choice(ROLES))
    return text[0].upper() + text[1:]


def scene(rng, tone):
    return f"The scene where {rng.choice(EVENTS)} {rng.choice(SCENE_VERDICTS[tone])}."


def review(rng, stars):
    title, genre, tone = rng.choice(TITLES), rng.choice(GENRES), sentiment_of(stars)
    size = rng.choices(["short", "medium", "long", "very long"], weights=[30, 45, 18, 7])[0]
    body_sentences = {"short": 1, "medium": rng.randint(3, 7), "long": rng.randint(10, 18),
                      "very long": rng.randint(40, 70)}[size]
    good = PRAISE if tone == "pos" else CRITICISM if tone == "neg" else MIXED + PRAISE[:3] + CRITICISM[:3]
    sentences = [fill(rng, rng.choice(OPENINGS[tone]), title, genre, stars)]
    if size != "short":
        sentences.append(fill(rng, rng.choice(PLOT), title, genre, stars))
    remarks = rng.sample(good, len(good)) + rng.sample(ASIDES, len(ASIDES))
    for i in range(body_sentences):
        if i < len(good) and rng.random() < 0.75:
            sentences.append(fill(rng, remarks[i], title, genre, stars))
        elif rng.random() < 0.5:
            sentences.append(scene(rng, tone))
        else:
            sentences.append(fill(rng, rng.choice(MIXED + ASIDES), title, genre, stars))
    sentences.append(fill(rng, rng.choice(CLOSINGS[tone]), title, genre, stars))
    paragraphs, current = [], []
    for sentence in sentences:
        current.append(sentence)
        if len(current) >= rng.randint(3, 6):
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    separator = "<br /><br />" if rng.random() < 0.3 else " "
    return title, separator.join(paragraphs)


def main():
    rng = random.Random(SEED)
    start = datetime.date(2026, 1, 1)
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "reviews.csv")
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
        writer.writerow(["review_id", "movie", "review_date", "stars", "label", "review"])
        for i in range(COUNT):
            stars = rng.choices(range(1, 11), weights=[10, 6, 6, 6, 4, 4, 6, 7, 6, 10])[0]
            title, text = review(rng, stars)
            label = "positive" if stars >= 7 else "negative" if stars <= 4 else ""
            day = start + datetime.timedelta(days=rng.randint(0, 300))
            writer.writerow([f"r{i + 1:04d}", title, day.isoformat(), stars, label, text])
    print(f"wrote {COUNT} reviews to {path}")


if __name__ == "__main__":
    main()
