"""Cue machinery for triage: weighted regex cues over normalised text, with negation handling."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from server.triage.triage_lazy import LazyPattern, Regex
from server.triage.triage_prefilter import PREFILTER, guarded

# Tokens that negate a cue when they occur shortly before it in the same clause.
NEGATORS: frozenset[str] = frozenset({
    "no", "not", "never", "without", "dont", "doesnt", "didnt", "isnt", "arent", "wasnt",
    "werent", "havent", "hasnt", "hadnt", "wont", "nor", "denies", "denied", "neither", "nothing",
})
NEGATION_WINDOW = 3


@dataclass(frozen=True)
class Cue:
    """One weighted lexical cue: a regex over normalised text and the reason it gives."""

    pattern: Regex  # a LazyPattern from `cue`: compiled on first use (triage_prefilter's docstring)
    weight: float
    reason: str
    negatable: bool = True
    inner_negation: bool = False
    bit: int = field(init=False, compare=False, repr=False)  # this cue's bit in `PREFILTER` masks

    def __post_init__(self) -> None:
        object.__setattr__(self, "bit", PREFILTER.add(self.pattern))


@dataclass(frozen=True)
class Hit:
    """A cue that fired on a message, with the normalised text it matched."""

    cue: Cue
    surface: str
    start: int


def cue(
    pattern: str, weight: float, reason: str, *, negatable: bool = True, inner_negation: bool = False
) -> Cue:
    """Build a Cue from a regex source (word-bounded by the caller)."""
    return Cue(LazyPattern(pattern), weight, reason, negatable, inner_negation)


def is_negated(text: str, start: int, end: int, inner: bool) -> bool:
    """Return True if a negator precedes the span (same clause, small window) or sits inside it."""
    before = text[max(0, start - 200):start].split()
    window: list[str] = []
    for tok in reversed(before):
        if tok == "." or len(window) >= NEGATION_WINDOW:
            break
        window.append(tok)
    if any(tok in NEGATORS for tok in window):
        return True
    return inner and any(tok in NEGATORS for tok in text[start:end].split())


def find_hits(cues: Iterable[Cue], text: str) -> list[Hit]:
    """Return every non-negated hit of the given cues in normalised text, in cue order."""
    may_match = PREFILTER.mask(text)  # cues whose required words are absent cannot match: skip them
    hits: list[Hit] = []
    for c in cues:
        if not may_match >> c.bit & 1:
            continue
        for m in c.pattern.finditer(text):
            if c.negatable and is_negated(text, m.start(), m.end(), c.inner_negation):
                continue
            hits.append(Hit(c, m.group(0), m.start()))
            break
    return hits


def score(hits: Iterable[Hit]) -> float:
    """Sum the weights of hits."""
    return sum(h.cue.weight for h in hits)


def first_match(pattern: Regex, text: str) -> str | None:
    """Return the first match of pattern in text, or None."""
    m = pattern.search(text)
    return m.group(0) if m else None


# --- Shared context patterns -------------------------------------------------------------

SELF_REF = guarded(
    r"\b(i|im|ive|id|me|my|mine|myself|we|us|our|hes|shes|he|she|him|her|his|they|theyre|them)\b"
)
FIRST_PERSON = guarded(r"\b(i|im|ive|id|me|my|mine|myself|we|us|our)\b")
PATIENT_CONTEXT = guarded(r"\b(patients?|the guy|the man|the woman|the lady|surgeons?|the heart)\b")
INTERROGATIVES: frozenset[str] = frozenset({
    "how", "what", "whats", "why", "when", "where", "who", "whos", "which", "is", "are", "can",
    "could", "do", "does", "did", "will", "would", "should", "was", "were", "has", "have", "any",
    "anyone", "anybody", "hows", "wheres", "whys", "am",
})
AUXILIARIES: frozenset[str] = frozenset({
    "is", "are", "was", "were", "do", "does", "did", "will", "would", "can", "could", "should", "has", "have",
    "had", "to", "exactly", "else", "am", "isnt", "dont", "doesnt",
})


def starts_question(tokens: list[str]) -> bool:
    """True if a clause's tokens open like a question ("when" and "where" need an auxiliary next)."""
    if not tokens or tokens[0] not in INTERROGATIVES:
        return False
    if tokens[0] == "what" and len(tokens) > 1 and tokens[1] in {"a", "an"}:
        return False
    if tokens[0] in {"when", "where"}:
        return len(tokens) > 1 and tokens[1] in AUXILIARIES
    return True


QUESTION_LIKE = guarded(
    r"\b(should|can|could|would|will|is|are|does|do|did|am) (i|he|she|we|they|it|that|this|my \w+)\b"
    r"|\bis (that|this|it) (normal|bad|ok|okay|serious|safe|dangerous|common)\b"
    r"|\bany (advice|tips|ideas|thoughts)\b|\bwhat (should|do|can) (i|we)\b"
    r"|\bhow (long|soon|much|many) should\b|\bi (wonder|was wondering)\b"
)

# --- Personal medical --------------------------------------------------------------------

_REL = (
    r"dad|father|mom|moms|mother|parents?|husband|wife|hubby|partner|boyfriend|girlfriend|bf|gf|"
    r"fiance|fiancee|son|daughter|kids?|child|children|baby|toddler|grandma|grandpa|grandmother|grandad|"
    r"granddad|grampa|gramps|nanna|"
    r"grandfather|granny|gran|nan|nana|grandparents?|grandson|granddaughter|uncle|aunt|auntie|"
    r"brother|sister|sibling|cousin|friend|neighbou?r|father in law|mother in law|stepdad|stepmom|"
    r"stepfather|stepmother|family member|relative|nephew|niece|spouse|mums?"
)
RELATIVE_CUES = (
    cue(rf"\bmy (\w+ ){{0,3}}({_REL})s?\b", 1.0, "asks about a relative's case", negatable=False),
    cue(r"\b(dad|mom|grandma|grandpa|grandad|nan|nana|granny|hubby|mother in law|father in law|mother|father|"
        r"husband|wife|son|daughter|sister|brother|uncle|aunt|auntie|partner|stepmom|stepdad)s? (\w+ )?(has|"
        r"is|was|"
        r"had|refused|got|needs|said|takes|gets|cant|wont|just|keeps)\b|\b(dads|moms|grandpas|grandmas|"
        r"grandads|"
        r"nans)\b", 1.0, "asks about a relative's case", negatable=False),
)
MEDICAL_CONTEXT = guarded(
    r"\b(bypass\w*|surgery|surgeon|operation|operate|op|procedure|artery|arteries|blocked|blockage|"
    r"stents?|heart|cardiac|valve|cholesterol|blood pressure|bp|diabetes|diabetic|meds|medications?|"
    r"medicine|pills|doctor|cardiologist|gp|diagnosed|diagnosis|scan|angiogram|echo|ecg|ekg|"
    r"stress test|results|troponin|pain|hurts?|symptoms?|recovery|recovering|scar|incision|hospital|"
    r"afib|pacemaker|blood thinners?|warfarin|aspirin|statins?|murmur|defect|cabg|vein|legs?|"
    r"swollen|swelling|palpitations|breath|chest|stroke|heart attack|ejection fraction|lad|smokes?|"
    r"smoker|smoking|drive|driving|fly|flying|lift|eat|diet|exercise|candidate|second opinion|"
    r"insurance|post op|confused|forgetful|sleep|walk|old|age|yo|years old|stenosis|aortic|coffee|alcohol|"
    r"drink|sex|work|golf|sport|swim|taking|takes|has been on|is on|grafts?|icu|wound|harvest|narrowing|"
    r"angina|sternum|breathless|exhausted|tired|coughs?|clicks?|metoprolol|lisinopril|atorvastatin|"
    r"clopidogrel|plavix|eliquis|xarelto|digoxin|nitro\w*|beta blockers?|marfan\w*|hypercholesterol\w*)\b"
)
OWN_CASE_CUES = (
    cue(
        r"\bmy (own )?(surgery|operation|bypass|procedure|heart|doctor|cardiologist|surgeon|gp|meds|"
        r"medications?|pills|blood pressure|bp|cholesterol|results?|scan|angiogram|ecg|ekg|echo|"
        r"stents?|valve|pacemaker|diagnosis|condition|arteries|artery|scar|incision|recovery|"
        r"ejection fraction|ef|symptoms?|chest|levels?|heart rate|insurance|case|murmur|blood|tests?|"
        r"labs?|angina|op|score|reading|readings|numbers|count|report|calcium \w+|heart \w+|age)\b",
        1.0, "asks about own case", negatable=False,
    ),
    cue(
        r"\b(i|ive|im|i am|i was|i have|i had|i got|i get|i take|id|i also) (\w+ ){0,6}(bypass\w*|surgery|"
        r"operation|stents?|diagnosed|heart attack|afib|a fib|diabetes|diabetic|angina|blocked|"
        r"blockage|cholesterol|blood pressure|hypertension|murmur|valve|pacemaker|scheduled|post op|"
        r"postop|recovering|warfarin|statins?|aspirin|blood thinners?|chest pain|palpitations|"
        r"short of breath|smoker|heart disease|heart failure|cabg|angioplasty|stress test|type [12]|"
        r"stenosis|familial|hypercholesterol\w*|post cabg|narrowing|\w+ bypass|fever|disease|condition|"
        r"syndrome|defect|infection|told|pregnant|waiting list)\b",
        1.0, "describes own medical history", inner_negation=True,
    ),
    cue(r"^(had|got|having|getting|just had) (a |my )?(\w+ )?(bypass|surgery|stents?|operation|cabg)\b",
        1.0, "describes own medical history", negatable=False),
    cue(r"\b(\d+|a few|few|six|eight|two|three|four) (weeks?|days?|months?) (post ?op|post cabg|post surgery|"
        r"after (my|surgery))\b",
        1.0, "describes own recovery timeline", negatable=False),
    cue(r"\b(is it (safe|ok|okay|normal|bad|too late) for me|in my case|someone like me|people like me|"
        r"(mean|means) for (me|him|her|us)|(could|does|would) (that|this|it) mean (i|im|ill|he|she|hell|"
        r"shell)|"
        r"(im|i am|am i) at risk|(will|would|do|could) (i|he|she) need)\b", 1.0, "asks for advice about self",
        negatable=False),
    cue(r"\b(for me to|would i|should i|can i|do i need|will i|am i|could i)\b", 0.75,
        "asks for advice about self", negatable=False),
    cue(r"\b(im|i am) \d{2}\b", 0.5, "gives own age", negatable=False),
    cue(r"\b(am i|im|i am) (too|a good|a|eligible|still) (\w+ )?(candidate|old|young|heavy|overweight|sick|"
        r"fat|late)\b|"
        r"\b(im|i am) \d+ (weeks?|days?|months?) (out|post|after|from)\b", 1.0, "describes own situation",
        negatable=False),
)

# --- Spam --------------------------------------------------------------------------------

SPAM_CUES = (
    cue(r"\burltoken\b", 1.5, "contains a link", negatable=False),
    cue(r"\b(follow (me|us|back|for|atmention|my|our)|f4f|l4l|sub4sub|follow for follow)\b", 1.5,
        "asks for follows"),
    cue(r"\b(dm|pm|inbox|message|text|contact) (me|us|him|her) (for|on|to|now|today)\b|\bdm (for|me for)\b|"
        r"\b(dm|pm|inbox) (me|us)\b|\bmessage (for|me for) (prices?|info|details|more)\b", 1.5,
        "solicits direct messages"),
    cue(r"\bdm\b|\bmessage me\b|\bask me how\b", 1.0, "solicits direct messages"),
    cue(r"\b(send|shoot|drop) (me|us) a (dm|message|pm|line)\b|\b(enroll|sign up|register|join|download|"
        r"apply) (free )?now\b|\bmy of\b|\b(extra|side) (income|hustle|cash)\b|\bfrom your phone\b|\b(degree|"
        r"diploma|certificate) online\b|\bno exams\b|\bportfolio\b|\bget featured|be featured\b", 1.5,
        "promotion"),
    cue(r"\bjoin (my|our) (telegram|group|channel|discord|whatsapp|community|team)\b|\b(stock|"
        r"crypto) picks\b|"
        r"\bcryptoticker\b|\b(invest|investing|investment) (in|now)\b|\bbefore it pumps\b|\bpump and dump\b|"
        r"\bdont miss out\b", 1.5,
        "investment or group promotion"),
    cue(r"\b(\d+k?|more|free|real|instant) (followers|likes|views|subscribers)\b|\b(chance to win|"
        r"like and share|"
        r"share to win|tag \d+ friends|tag your friends)\b|\bto win (a |an |free )?\w+\b", 2.0,
        "engagement bait"),
    cue(r"\b(selling|for sale|buy now|prices|wholesale|replica|rolex|viagra|cialis|discreet shipping)\b", 1.0,
        "selling goods"),
    cue(r"\b(loans?|fast approval|low interest|credit repair|get paid|paid to|profits?|trade with me|"
        r"daily returns|"
        r"roi|sign up (for|now|today)|webinar|masterclass|free trial)\b", 1.5, "financial or sign-up offer"),
    cue(r"\bnatural (\w+ )?(healing|remedy|remedies|cure)\b|"
        r"\bheals? naturally\b", 1.0, "miracle-cure promotion"),
    cue(r"\bcheap\b|\bfree\b|\bavailable\b|\bexclusive offer\b|\bcleanse\b", 0.75, "sales language"),
    cue(r"\blink (in|below|in the) (my )?(bio|profile|description|comments|below)\b|\blink below\b|"
        r"\bcheck (out )?"
        r"(my|our) (\w+ ){0,3}(channel|page|profile|bio|account|website|site|store|shop|link|podcast|blog|"
        r"book|"
        r"ebook|course|app|videos?|merch|stream|plan|program|guide)\b|\bdownload (here|now|the app|this app|"
        r"it now)\b", 2.0,
        "promotes own profile"),
    cue(r"\b(turned|grew|made) (\w+ ){0,2}into \d+k?\b|\blooking for investors\b|\bgofundme\b|"
        r"\bdonate to my\b|"
        r"\bsupport my (\w+ )?(fundraiser|campaign|page|business)\b|\b(bank|card|account) (info|details|"
        r"number)\b|"
        r"\bsend (me )?(your )?(money|bank|gift cards?)\b|"
        r"\bnigerian prince\b", 2.0, "money scam or solicitation"),
    cue(r"\b(hmu|psychic|tarot|readings|horoscope|spells?|love spell|podcast|"
        r"spotify)\b", 1.0, "self-promotion"),
    cue(r"\b(my|our) (channel|page|bio|store|shop)\b", 0.75, "promotes own channel"),
    cue(r"\b(earn|make|made|making) (\w+ ){0,2}(money|moneyamount|\d+k?)\b|\bfrom home\b", 1.5,
        "money-making offer"),
    cue(r"\bmoneyamount\b", 0.5, "mentions money amounts"),
    cue(r"\b(passive income|investment opportunity|invest now|trading|forex|crypto\w*|bitcoin|btc|eth|"
        r"nfts?|token|tokens|binance|100x|to the moon|airdrop|presale|signals group|win rate)\b", 2.0,
        "crypto or investment promotion"),
    cue(r"\b(promo|discount|coupon) code\b|\bpercent off\b|\bbuy \d+ get\b|\bfree shipping\b|\bshop now\b|"
        r"\border (now|today|yours)\b|\blimited (time|spots|offer|stock)\b|\bact now\b|\bdeals? (on|for)\b|"
        r"\b(best|great|hot|"
        r"crazy) deals?\b|\bdeal of the (day|week|year)\b", 1.5, "sales promotion"),
    cue(r"\bgiveaway\b|\bfree (iphone|followers|likes|gift|cruise|trial|money|ipad)\b|\bwin a (free )?\w+|"
        r"\byou won\b|\bclaim your\b", 2.0, "giveaway bait"),
    cue(r"\bclick (here|the link|link|below)\b", 2.0, "click bait"),
    cue(r"\b(buy|get|grow|gain) (\w+ ){0,2}(followers|likes|views|subscribers|page|account)\b", 2.0,
        "sells followers or growth"),
    cue(r"\b(subscribe|sub to|subs)\b", 1.0, "asks for subscriptions"),
    cue(r"\b(yt|youtube|tiktok|insta|ig)\b", 0.5, "mentions own social account"),
    cue(r"\b(telegram|whatsapp|phonenumber|atmention)\b", 0.75, "off-platform contact"),
    cue(r"\b(onlyfans|hot singles|singles in your area|casino|betting|bonus(es)?|slots|escort)\b", 2.0,
        "adult or gambling promotion"),
    cue(r"\b(sponsored|brand ambassadors?|collab|promo|affiliate)\b", 1.5, "sponsored content"),
    cue(r"\b(gummies|supplements?|cbd|detox|miracle|weird trick|one trick|hate (this|him|her)|big pharma|"
        r"cures? (\w+ ){0,2}(naturally|disease))\b", 1.0, "miracle-cure promotion"),
    cue(r"\bno prescription\b|\bcheap (meds|pills|flights|followers|viagra)\b|\bpharmacy\b", 1.5,
        "unlicensed pharmacy"),
)

# --- Abuse -------------------------------------------------------------------------------

ABUSE_CUES = (
    cue(r"\b(idiots?|idiotic|morons?|moronic|clowns?|quacks?|butchers?|incompetent|imbeciles?|losers?|"
        r"pathetic|useless|scum|frauds?|psychos?|psychopaths?|murderers?|killers?|freaks?|disgrace\w*|"
        r"hacks?|charlatans?|retards?|retarded|bitch\w*|bastards?|assholes?|dickheads?|pricks?|cunts?|"
        r"jerks?|ghouls?|vultures?|dumbass|trash|garbage|clueless|pigs|swine|parasites|leeches|vermin|twits?|"
        r"monkeys?|baboons?|"
        r"brainless|halfwits?|dimwits?|numpty|muppets?|airheads?|bimbos?|nitwits?|dolts?|buffoons?|dunces?|"
        r"cretins?|"
        r"simpletons?|tossers?|wankers?|twats?|dipshits?|idiots)\b", 1.5, "insult"),
    cue(r"\b(you are|youre|he is|hes|she is|shes|they are|theyre|this is|what|is|are) (a |such a |an |"
        r"an absolute |"
        r"a total |a complete |total |absolute )?(joke|disgrace|embarrassment|laughingstock|fraud|clown show|"
        r"circus|"
        r"slaughterhouse|butcher shop|meat factory|scam|cult|death trap)\b", 1.5, "insult"),
    cue(r"\b(brain|brains|iq|memory) (of|like) a\b|\blooks? like a (\w+ )?(monkey|clown|pig|idiot|child|"
        r"toddler|"
        r"rat|chimp)\b|\b(you|u) (\w+ )?pig\b|\b(crappy|shitty|lousy|useless|terrible|garbage|trash|awful|"
        r"incompetent|fake|sorry ass) (\w+ )?(hospital|doctors?|surgeons?|nurses?|staff|team|people|stream|"
        r"account)\b", 1.5, "insult"),
    cue(r"\b(stupid|dumb|lazy|greedy|overpaid|dumbest|stupidest|woke)\b(?! question)", 1.0, "insult"),
    cue(r"\bglory hounds?\b|\battention seekers?\b|\bclout chasers?\b|\bshow offs?\b|\bshould be (locked up|"
        r"arrested|in jail|jailed|struck off)\b|\b(slobs?|ugly|hideous|whores?|sluts?|hoes|skanks?)\b|\b(is|"
        r"are|so|youre) (a )?fat\b|\bzero (talent|brains?|"
        r"skills?|iq)\b|\bno brains?\b", 1.5, "insult"),
    cue(r"\bscrew (this|you|the|your|them|that|these|those)\b", 2.0, "hostile profanity"),
    cue(r"\bsee what happens\b|\byou(ll| will) see\b|\b(with|using) (my |our |his )?fists\b|"
        r"\bteach (\w+ ){0,3}"
        r"(some )?respect\b", 3.0, "threat to staff"),
    cue(r"\b(up your ass|shove (it|them|\w+ )?up|shove it|kiss my ass|your ass)\b|\bshut (your|ur|"
        r"yer) (mouth|face|"
        r"trap|pie hole|gob)\b", 2.0, "hostile profanity"),
    cue(r"\bass\b|\bdo your (damn |fucking |bloody )?job\b", 0.75, "profanity"),
    cue(r"\b(fuck you|fuck off|fuck your|fuck this|f you|screw you|stfu|shut up|go to hell|piss off|"
        r"gtfo|get lost|eat shit)\b", 2.0, "hostile profanity"),
    cue(r"\b(fuck\w*|shit\w*|crap|bullshit|wtf|damn)\b", 0.75, "profanity"),
    cue(r"\b(i will|ill|im going to|i am going to|going to|im|someone should|somebody should|"
        r"someone needs to|i would|id|i want to|lets|gonna) (\w+ ){0,2}(kill|hurt|punch|slap|beat|shoot|"
        r"stab|strangle|smack|hit|attack|murder) (you|him|her|them|that|the|this|your|those|these|every|"
        r"all)\b",
        3.0, "threat to staff"),
    cue(r"\bi know where (you|he|she|they) (work|live)s?\b|\bwatch your back\b|\bwaiting for (you|him|her)\b|"
        r"\bcoming for (you|him|her)\b|\byoull (pay|regret)\b|\bwill pay for this\b|"
        r"\bteach (\w+ ){0,2}a lesson\b|"
        r"\b(coming|come) (down )?(there|over there|to the hospital)\b|\bpay (you|him|her|them) a visit\b|"
        r"\bshow up at (your|his|her|the)\b|\b(ill|i will|im going to|gonna|ill be|i am) (be )?(waiting|"
        r"outside|out "
        r"back) (\w+ ){0,4}for (you|him|her|them|that \w+|the (surgeon|doctor|nurse|cameraman|staff|"
        r"camera \w+))\b|\b(come|coming|will|ill|gonna|going to) (\w+ )?(find|hunt) (you|u|him|"
        r"her|them)\b|\block (up )?(the|all|those|these|them|em) (\w+ )?(staff|doctors|surgeons|nurses|up)\b",
        3.0, "threat to staff"),
    cue(r"\b(should be ashamed|shame on (you|them|this)|ashamed of yourselves|make me sick|makes me sick)\b|"
        r"\bshut (this|the) (\w+ )?down\b",
        1.5, "demeaning remark"),
    cue(r"\b(hope|wish|pray) (\w+ ){0,4}(dies|die|dead|burns?|rots?|rot|suffers?|gets? (sued|fired|cancer)|"
        r"gives? out|"
        r"fails|bleeds? out|goes wrong|crash\w*|shut down|sues? (you|them|him|her)|closed down|lose (your|"
        r"their|his|her) (jobs?|licen[cs]es?))\b",
        3.0, "wishes harm", inner_negation=True),
    cue(r"\b(hope|wish) (\w+ ){0,3}never wakes? up\b|\bdoesnt make it\b(?! (easy|hard))", 2.0, "wishes harm"),
    cue(r"\b(burn|blow up|bomb) (\w+ ){0,2}(hospital|place|building|down)\b", 3.0, "threat to the hospital"),
    cue(r"\b(kill yourself|kys|go die|drop dead|die in a fire)\b", 3.0, "tells someone to die"),
    cue(r"\b(just|only|nothing but) (\w+ )?glorified\b|\bget a real job\b", 1.5, "demeaning remark"),
    cue(r"\b(nobody asked|who asked|glorified|attention seeking|lose (your|their) licen[cs]es?|"
        r"should be (fired|ashamed|locked up|arrested)|milking|disgusting|sick freaks?|go away)\b", 1.0,
        "demeaning remark"),
    cue(r"\b(you|you people|you guys|all of you|whoever|youre all|you all)\b", 0.25, "targets people"),
)
ABUSE_SELF_DIRECTED = guarded(r"\b(i|im|i am|i feel|feel) (so |really |kinda |a bit )?(stupid|dumb|"
    r"an idiot)\b"
                              r"|\b(stupid|dumb|silly) question\b")

# --- Comment / question ------------------------------------------------------------------

COMMENT_CUES = (
    cue(r"\b(amazing|incredible|awesome|wow|woah|whoa|fascinating|impressive|brilliant|beautiful|cool|"
        r"great|excellent|fantastic|wonderful|inspiring|inspired|educational|informative|love|loving|"
        r"respect|heroes?|legends?|bravo|applause|kudos|well done|good job|nice|proud|grateful|"
        r"thank|thanks|congrats|congratulations|blessed|bless|pray|praying|prayers|get well|"
        r"speedy recovery|best wishes|good luck|fingers crossed|rooting|go team|sending|greetings|hello|"
        r"hi|watching from|lol|haha|lmao|omg|crazy|insane|wild|intense|squeamish|graphic|gross|"
        r"celebrate|strong|suspenseful|calm|surreal|unreal|goosebumps|rip|sad|scared)\b",
        1.0, "praise or reaction", negatable=False),
    cue(r"\b(first time watching|cant believe|keep (it|them) coming|so glad|so happy|what a)\b", 1.0,
        "reaction"),
)
QUESTION_CUES = (
    cue(r"\b(explain|tell us|tell me|question|curious|wondering|wonder|anyone know|does anyone)\b", 1.0,
        "asks for information", negatable=False),
    cue(r"\b(how|what|whats|why|when|where|who|which)\b", 0.5, "question word", negatable=False),
)
