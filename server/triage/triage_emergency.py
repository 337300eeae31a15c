"""Emergency detection: self-harm, overdose, acute physical symptoms. Tuned for recall over precision."""

from __future__ import annotations

from dataclasses import dataclass

from server.triage.triage_cues import (
    FIRST_PERSON,
    INTERROGATIVES,
    PATIENT_CONTEXT,
    SELF_REF,
    Hit,
    cue,
    find_hits,
)
from server.triage.triage_emergency_weak import check_weak_emergency
from server.triage.triage_prefilter import guarded

SELF_HARM = "mentions self-harm or suicidal intent"
OVERDOSE = "mentions an overdose or too many pills"

SELF_HARM_CUES = (
    cue(r"\b(kill|killing|hurt|hurting|harm|harming|cut|cutting|end|ending|hang|hanging|shoot|shooting|"
        r"drown|drowning|off|offing|unalive|unaliving|starve|starving|poison|poisoning) (myself|my self|"
        r"himself|herself|themselves|themself)\b", 3.0, SELF_HARM, negatable=False),
    cue(r"\b(end|ending|take|taking|ended|took) (my|his|her|their) (own )?life\b", 3.0, SELF_HARM,
        negatable=False),
    cue(r"\b(kms|unalive|sewer ?slide|suicid\w*|self ?harm\w*|noose)\b", 3.0, SELF_HARM, negatable=False),
    cue(r"\b(want|wanted|wanting|ready|deserve|need|try|trying|tried|plan|planning|decided) to (die|"
        r"be dead)\b",
        3.0, SELF_HARM, negatable=False),
    cue(r"\b(wish|hope) (i|that i) (was|were|could|would|had|didnt|dont|never|just) (\w+ ){0,4}(dead|die|"
        r"died|gone|born|disappear|wake up|woken up|exist)\b", 3.0, SELF_HARM, negatable=False),
    cue(r"\b(dont|do not|no longer|never|not) (\w+ )?want to (live|be alive|be here|exist|wake up|go on|"
        r"keep going|keep living|be around)\b", 3.0, SELF_HARM, negatable=False),
    cue(r"\b(never|not) (to )?wake up\b|\bsleep forever\b|\bgo to sleep and (never|not)\b", 3.0, SELF_HARM,
        negatable=False),
    cue(r"\b(end|ending|ended) (it all|it tonight|it now|it today|everything|it)\b|\bwant (it|everything|"
        r"it all) to (be over|end|stop)\b", 3.0, SELF_HARM, negatable=False),
    cue(r"\b(said|saying|say) (bye|goodbye) to\b|\bedge of (the|a) (bridge|roof|building|cliff|platform)\b|"
        r"\bmy "
        r"(own )?(funeral|grave|obituary|eulogy)\b|\b(cant|can not|cannot) keep (living|going|doing this)\b|"
        r"\b(tonight|today) im doing it\b|\bim doing it (tonight|today)\b|\btired of (fighting|trying|living|"
        r"existing|being alive|everything)\b|\blet (it all|everything) go\b|\b(not|never|dont|wont) (bring|"
        r"let) me "
        r"back\b|\b(not|never) (come|coming) back\b|\bone last time\b|\b(better off|be better|"
        r"happier) without me\b|\b(would|will|be) (be )?(\w+ )?(lighter|better|easier|happier|"
        r"fine|okay|ok|relieved|calmer|freer) without me\b|\bmy life is over\b|\b(do|"
        r"doing) something (stupid|bad|"
        r"drastic|terrible|dumb) to myself\b|\b(something|anything) (\w+ ){0,2}to myself\b|\bmake it (quick|"
        r"painless)\b|"
        r"\bquick and painless\b|\b(the )?last (thing|time|post|message|video) (ill|i will|"
        r"im going to) ever\b|"
        r"\bill ever (see|watch|do|write|post)\b|\bwhats the point (in|of) (living|life|going on|anything|"
        r"trying|"
        r"it all)\b|\b(stop|kill) my (own )?heart\b|\bbetter off (if i was|if i were|with me) (dead|gone)\b",
        3.0, SELF_HARM, negatable=False),
    cue(r"\b(no|nothing|not any) (reason|point) (to|in|for) (live|living|go on|going on|being alive|life|"
        r"anything|me)\b|\bnothing (left )?to live for\b|\bno point (in )?(going on|living|anymore|being "
        r"alive|to life|in life|in anything)\b|\b(dont|cant|do not) see (the|any|a) point (in|of|to) "
        r"(anything|living|life|going on|it all|being alive|being here|anymore)\b", 3.0, SELF_HARM,
        negatable=False),
    cue(r"\b(cant|can not|cannot) (go on|take (it|this|this pain|the pain|any more) anymore|take it any more|"
        r"do this anymore|keep going|live like this|take this anymore)\b", 3.0, SELF_HARM, negatable=False),
    cue(r"\b(am|im|being|just|such|feel like|only) a burden\b|\bburden (to|on) (everyone|my family|them)\b",
        3.0, SELF_HARM, negatable=False),
    cue(r"\b(jump|jumping|jumped) (off|from|in front)\b|\bin front of a (train|bus|car|truck)\b", 3.0,
        SELF_HARM, negatable=False),
    cue(r"\b(goodbye|bye) (everyone|all|world|forever|guys|everybody|cruel world|twitter|internet|x|"
        r"instagram|"
        r"facebook|tiktok|life|friends)\b|\bhope my (\w+ ){0,3}(goes wrong|fails|kills me)\b|\bmy (last|"
        r"final) "
        r"(message|post|tweet|words|goodbye|day)\b|\bthis is goodbye\b", 3.0, SELF_HARM, negatable=False),
    cue(r"\b(gave|giving|given) away (all )?(my|of my)\b", 3.0, SELF_HARM, negatable=False),
    cue(r"\b(not|wont|never) (going to |gonna )?be (around|here|alive) (much )?(longer|anymore|tomorrow|"
        r"next week|"
        r"for long)\b",
        3.0, SELF_HARM, negatable=False),
    cue(r"\b(wrote|written|writing|left|leave|leaving) (\w+ ){0,2}(letters?|notes?) (to|for) (my|everyone|"
        r"everybody)\b", 3.0, SELF_HARM, negatable=False),
    cue(r"\b(painless|quick|quickest|easiest|fastest|best|easy) (\w+ )?(way|method|ways) to (go|die|end it|"
        r"do it)\b(?! about| home| back)|\bhow (high|far|tall|deep|many|much|long) (\w+ ){0,6}(to make sure|"
        r"to be sure|to guarantee|to not survive|to be fatal|to die|to kill (me|myself|someone|a person))\b|"
        r"\b(high|tall|deep) enough to (die|kill|not survive)\b", 3.0, SELF_HARM, negatable=False),
    cue(r"\b(thinking|thoughts|thought|think) (about|of) (dying|death|ending it|not being here|killing|"
        r"suicide|disappearing forever)\b|\bi (should|could) just die\b", 3.0, SELF_HARM, negatable=False),
    cue(r"\b(rather|better off|better) (be )?(dead|die|died)\b|\b(dont|do not) deserve to (live|be alive|"
        r"exist)\b|"
        r"\bhate myself\b|\b(im|i am|feel) worthless\b|\bin heaven soon\b", 3.0, SELF_HARM, negatable=False),
    cue(r"\b(no way out|no escape|no hope left|hopeless|trapped forever)\b|\b(ive|i have|i) (decided|"
        r"made up my mind)"
        r"\b(?! to)|\b(isnt|not|no longer|aint) worth (living|it anymore|going on|fighting)\b|"
        r"\btired of (existing|"
        r"living|life|being alive|everything)\b|\b(done|finished) (with|living) (life|everything|it all)\b|"
        r"\bgive up on (life|everything|living)\b", 3.0, SELF_HARM, negatable=False),
    cue(r"\b(nobody|no one|noone) (would|will|even) (\w+ )?(notice|care|miss me)\b|\bif (i|"
        r"my heart) (\w+ ){0,3}"
        r"(died|stopped|gave out|didnt wake up|was gone|were gone|disappeared|never woke up|wasnt here)\b|"
        r"\b(wouldnt|would not) (even )?mind (dying|if|not waking|being dead)\b|\b(wont|will not) be a "
        r"(problem|burden)\b", 3.0, SELF_HARM, negatable=False),
    cue(r"\b(cutting|cut) (again|deeper|more|my (arms?|wrists?|legs?|thighs?))\b|\bcut (my|his|"
        r"her) wrists?\b|"
        r"\b(burning|burned|burnt|scratching|hitting|punishing) myself\b|\brelaps\w* (on |into )?(self harm|"
        r"cutting)\b", 3.0, SELF_HARM, negatable=False),
    cue(r"\b(goodbye|suicide|farewell) (letters?|notes?|messages?|videos?|posts?)\b|\b(stockpil\w*|saving|"
        r"hoarding|saved|collecting|stashing) (up )?(\w+ ){0,2}(pills|meds|tablets|oxy\w*|opioids|"
        r"painkillers|"
        r"sleeping pills|insulin)\b|\bhow many (i|ill|id) need\b|\b(bought|got) (a )?(gun|rope)\b|"
        r"\bstanding on "
        r"(the|a) (ledge|roof|bridge|edge)\b|\b(crash|drive|steer) (\w+ ){0,3}(into|off) (a |the )?(wall|"
        r"tree|cliff|"
        r"bridge|traffic|river|lake|sea|ocean|water|oncoming \w+|a truck|a train)\b|"
        r"\bon purpose\b", 3.0, SELF_HARM, negatable=False),
)

_DRUGS = (
    r"pills?|tablets?|meds|medications?|medicine|thinners|painkillers|tylenol|paracetamol|acetaminophen|"
    r"ibuprofen|advil|aspirin|insulin|sleeping pills|sleeping tablets|xanax|valium|oxy\w*|fentanyl|heroin|"
    r"opioids|percocet|vicodin|morphine|ambien|benadryl|lithium|metoprolol|warfarin|digoxin|antidepressants|"
    r"prescriptions?|adderall|ritalin|klonopin|ativan|seroquel|"
    r"beta blockers|nitro\w*|tramadol|codeine|gabapentin|melatonin|edibles"
)

_HOUSEHOLD = (
    r"bleach|cleaning \w+|cleaner|detergent|pods|chemicals|batteries|battery|button battery|magnets|"
    r"antifreeze|dishwasher \w+|laundry \w+|drain cleaner|lamp oil|lighter fluid|weed killer|rat poison|"
    r"poison|paint thinner|window cleaner|mouthwash|nail polish remover|e liquid|vape juice"
)

OVERDOSE_CUES = (
    cue(r"\boverdos\w*\b|\b(i|he|she|they|just|mom|dad|son|daughter) (od|odd|oded)\b|\blethal dose\b",
        3.0, OVERDOSE, negatable=False),
    cue(r"\b(took|taken|take|taking|swallowed|ate|downed|popped) (\w+ ){0,2}(whole|entire|full) (bottle|pack|"
        r"packet|box|strip|blister|month|week|supply|prescription|script)\b|\bthink (im|i am|hes|shes) "
        r"overdosing\b", 3.0, OVERDOSE, negatable=False),
    cue(rf"\b(took|taken|take|taking|swallowed|ate|downed|popped|had) (like |about |around |maybe |almost |"
        rf"nearly "
        rf"|over |at least )?(all|too many|too much|a bunch|a lot|loads|lots|handful|a handful|\d+|twenty|"
        rf"thirty|"
        rf"forty|fifty|dozens|the rest of) (\w+ ){{0,4}}({_DRUGS})\b", 3.0, OVERDOSE, negatable=False),
    cue(rf"\b\d{{2,}} (\w+ )?({_DRUGS})\b(?! a day| per day| daily| mg)|\bgot into (\w+ ){{0,3}}({_DRUGS}|"
        rf"{_HOUSEHOLD})\b|\b(drank|drunk|swallowed|ate|chewed|licked) (\w+ ){{0,5}}({_HOUSEHOLD})\b|\b(ate|"
        rf"swallowed|drank|drunk) (some|a|the|her|his|my|"
        rf"\w+s) (\w+ ){{0,2}}({_DRUGS}|bleach|battery|batteries|detergent|antifreeze|poison)\b|\b(drank|"
        rf"drunk|"
        rf"swallowed) (bleach|antifreeze|poison)\b|\bpoison(ed|ing)?\b", 3.0, OVERDOSE, negatable=False),
    cue(r"\b(how (many|much)|what dose|what amount|mg|dosage|dose) (\w+ ){0,6}(deadly|lethal|fatal|kill (you|"
        r"me|"
        r"someone|a person)|to die|to od|overdose)\b|\b(deadly|lethal|fatal) (amount|dose|"
        r"number)\b", 3.0, OVERDOSE,
        negatable=False),
    cue(r"\bmix (\w+ ){0,3}(pills|meds|tablets|medication|medicine) (\w+ ){0,3}(alcohol|vodka|whiskey|booze|"
        r"wine|"
        r"beer|liquor)\b|\bwhat dose (\w+ ){0,6}(would|will|to) (stop|kill)\b|\b(pills?|"
        r"tablets?) (\w+ ){0,2}saved\b|\benough (\w+ ){0,3}(pills?|tablets?|meds)\b|\bhow many "
        r"(\w+ ){0,4}(pills?|tablets?|meds) (\w+ ){0,2}(would|does|will|to|kill|die)\b", 3.0, OVERDOSE,
        negatable=False),
)

# Physical emergencies that fire on their own (unless negated, or clearly about the operated patient).
ACUTE_CUES = (
    cue(r"\b(cant|can not|cannot|couldnt|unable to|struggling to|struggle to|hard to|trouble|difficulty|"
        r"barely|hardly|not able to) (\w+ ){0,2}(breathe|breath|breathing)\b", 3.0,
        "mentions difficulty breathing"),
    cue(r"\b(not|isnt|stopped|no longer|wasnt|stop) breathing\b|\bno pulse\b|\bgasping\b|\bchoking\b|"
        r"\blips (\w+ ){0,3}(blue|purple|grey|gray)\b|\bturning (blue|purple|grey|gray)\b|\b(blue|"
        r"purple) lips\b|"
        r"\bbreathing (\w+ ){0,2}(strange|weird|funny|shallow|labou?red|gurgling|raspy|"
        r"wrong)\b", 3.0, "mentions a blocked airway or no breathing",
        negatable=False),
    cue(r"\b(passed out|collapsed|collapsing|unconscious|unresponsive|not responding|isnt responding|"
        r"wont wake up|not waking up|cant wake (him|her|them|up)|fainted|blacked out|keeled over|not moving|"
        r"isnt moving|wont move|stopped moving|cant get up|hit (his|her|my|their) head|head injury|slumped|"
        r"slumping|not answering|wont answer|isnt answering|doesnt answer)\b", 3.0,
        "mentions collapse or unresponsiveness"),
    cue(r"\bhaving (a |an )?(heart attack|stroke|seizure|fit|cardiac arrest|anaphylactic)\b|\b(seizing|"
        r"convulsing|convulsions|cardiac arrest)\b|\b(im|i am|feel like im|feel like i am|"
        r"think im) going to die\b|"
        r"\b(feel|feels|feeling) like (im|i am|i was|hes|shes|he is|she is) (dying|going to die)\b|\b(am i|"
        r"think im|"
        r"i think i am|im) dying\b(?! to)",
        3.0, "mentions a heart attack, stroke or seizure happening now"),
    cue(r"\b(face|mouth|smile|lip) (\w+ ){0,2}(drooping|droopy|droops|drooped|crooked|lopsided|numb)\b|"
        r"\bdrooping\b|\bslurr\w*\b|\b(speech|talking|words) (\w+ ){0,3}(weird|slurred|strange|off|garbled|"
        r"funny|jumbled|wrong|gibberish|nonsense)\b|\b(talking|speaking) (gibberish|nonsense|funny)\b|"
        r"\bcant find "
        r"(my|his|her|the) words\b|\b(arm|leg|hand|face) (\w+ ){0,2}(limp|floppy|paralyzed|paralysed|dead)\b|"
        r"\b(left|right|one) side (\w+ ){0,2}(went|is|gone|feels) (numb|weak|dead|limp)\b|\bseeing double\b|"
        r"\bblind in one eye\b|\bthunderclap\b|\b(cant|cannot|can not) (talk|speak) (properly|right|straight|"
        r"clearly)\b|"
        r"\b(cant|cannot|can not) (feel|move|lift) (\w+ ){0,3}(side|arm|leg|face|hand)\b|\b(one|left|right) "
        r"side (\w+ ){0,4}(numb|weak|paralyzed|paralysed|dead|droop\w*)\b|\bworst headache\b|\bsudden (\w+ )?"
        r"(numbness|weakness|confusion|headache|blindness|vision loss)\b", 3.0, "mentions stroke signs"),
    cue(r"\b(wont|cant|will not|doesnt|not) stop(ping)? bleeding\b|\bbleeding (\w+ )?(heavily|a lot|badly|"
        r"everywhere|out|profusely)\b|\b(gushing|pouring|spurting|squirting) (\w+ )?blood\b|\bblood (\w+ )?"
        r"(gushing|pouring|spurting|everywhere)\b|\b(coughing|vomiting|throwing) up blood\b", 3.0,
        "mentions heavy bleeding"),
    cue(r"\bthroat (\w+ ){0,4}(closing|swelling|swollen|tight)\b|\b(can barely|cant|cannot) (swallow|talk)\b|"
        r"\btongue (\w+ )?(swelling|swollen)\b|"
        r"\banaphyla\w*\b", 3.0, "mentions signs of anaphylaxis"),
    cue(r"\b(call|calling|called) (\w+ )?(911|999|112|000|ambulance|an ambulance|paramedics|emergency)\b|"
        r"\bambulance\b|\bparamedics\b|\bshould (i|we) go to (the )?(er|emergency|a and e|hospital)\b|"
        r"\b(call|get) (for )?help\b|\b(doing|giving|started) cpr\b|\b(his|her|my) heart stopped\b|\b(icd|"
        r"defibrillator|defib) (\w+ ){0,2}(shock\w*|firing|fired|went off|going off|keeps)\b|"
        r"\bkeeps shocking\b", 3.0,
        "mentions calling emergency services"),
)

# Symptoms that are an emergency only when acute (now) or reported in the present without a history cue.
SYMPTOM_CUES = (
    cue(r"\b(chest|breastbone|sternum) (\w+ ){0,5}(pains?|hurts?|hurting|aching|aches?|tight|tightness|"
        r"pressure|"
        r"heavy|heaviness|squeez\w*|crushing|burning|discomfort|sore|killing|fire|weird|funny|wrong)\b|"
        r"\b(pains?|"
        r"pressure|tightness|tight|heaviness|aches?|aching|squeezing|crushing|discomfort|stabbing|sharp|"
        r"hurts?|"
        r"elephant|weight) (\w+ ){0,4}(chest|breastbone|sternum)\b", 2.0,
        "chest pain", inner_negation=True),
    cue(r"\bheart attack\b", 2.0, "heart attack", inner_negation=True),
    cue(r"\bstroke\b", 2.0, "stroke", inner_negation=True),
    cue(r"\bheart (\w+ ){0,2}(racing|pounding|beating (\w+ )?(fast|hard|out of)|skipping|fluttering|flutter|"
        r"irregular|all over the place)\b|\bheart (\w+ ){0,5}(explode|exploding|burst|bursting|"
        r"going to stop)\b|"
        r"\bpalpitations?\b|\b\d{3} ?bpm\b|\bheart rate (is |of |at )?(1[4-9]\d|"
        r"2\d\d)\b", 2.0, "a racing heart",
        inner_negation=True),
    cue(r"\b(left |right )?arm (\w+ ){0,2}(numb|tingling|tingly|hurts?|hurting|pain|weak|heavy)\b|\b(numb|"
        r"numbness|tingling|pain|ache|aching) (\w+ ){0,4}(arm|jaw|shoulder)\b|\bjaw (\w+ ){0,2}(pain|hurts?|"
        r"hurting|aching)\b", 2.0, "arm or jaw pain or numbness", inner_negation=True),
    cue(r"\b(short(ness)? of breath|out of breath|breathless|winded|wheezing)\b", 2.0,
        "shortness of breath", inner_negation=True),
    cue(r"\b(dizzy|dizziness|lightheaded|light headed|faint|fainting|pass out|passing out|black out|"
        r"blacking out|seeing (spots|stars)|room is spinning|gray and sweaty|grey and sweaty|"
        r"cold and clammy)\b",
        2.0, "faintness or dizziness", inner_negation=True),
    cue(r"\b(lips|fingers|face|hands?) (\w+ )?(tingling|tingly|numb)\b|\b(arm|leg|hand|face|"
        r"side) (\w+ ){0,2}(numb|"
        r"weak|heavy)\b", 2.0, "numbness or weakness", inner_negation=True),
    cue(r"\b(cant|cannot) see (properly|straight|clearly|anything|out of)\b|\b(blurry|blurred) vision\b|"
        r"\bvision (\w+ )?(blurry|blurred|gone|loss|went)\b", 2.0, "sudden vision problems"),
)

# Markers that make a symptom acute even if the message also mentions history.
ACUTE_MARKERS = guarded(
    r"\b(right now|currently|at the moment|as we speak|as i (type|write)|just now|just started|suddenly|"
    r"sudden|all of a sudden|out of nowhere|(minutes?|mins?|hours?|hrs?) ago|(last|past) (\w+ )?(minutes?|"
    r"mins?|hours?|hrs?)|for (an|a|the|\d+|few|couple|\w+) (\w+ )?(minutes?|mins?|hours?|hrs?)|"
    r"getting worse|worse and worse|wont (go away|stop)|911|999|112|ambulance|(the|to) er|emergency|"
    r"what (do|should|can) (i|we) do|unbearable|crushing|radiating|spreading|going down|cold sweat|clammy|"
    r"am i having|is this a|is it a)\b"
)
# Weaker markers: count as acute only when the message gives no history/habit context.
WEAK_ACUTE_MARKERS = guarded(
    r"\b(now|started|starting|this (morning|evening|afternoon)|tonight|today|help|scared|terrified|so bad|"
    r"really bad|so much|sweating|please)\b"
)
HISTORY_MARKERS = guarded(
    r"\b(when (i|he|she|they|we|my|you|walking|running|climbing)|whenever|every ?time|sometimes|died|passed away|"
    r"lost (my|his|her|our)|occasionally|on and off|at times|from time to time|used to|"
    r"(days?|weeks?|months?|years?) ago|"
    r"last (week|month|year|spring|summer|autumn|winter|fall|time)|for (days|weeks|months|years)|"
    r"in (19|20)\d\d|since (my|his|her|their|the) (\w+ ){0,2}(surgery|operation|bypass|procedure|op|stent)|"
    r"had|"
    r"was|were|after (walking|exercise|exercising|running|eating|climbing|meals?|a meal|stairs)|at night|"
    r"in general|usually|normally|typically|common|signs of|symptoms of|warning signs|gets|i get|climbing|"
    r"stairs|exercis\w*|on exertion|walking up|when walking|showed|shows|old|silent|previous|prior|"
    r"history of|diagnosed)\b"
)
# Hypothetical or how-to framing ("what should someone do if they...") that is not about a real person now.
HYPOTHETICAL = guarded(
    r"\b(if (someone|somebody|a person|you|people|they|patients?|a patient)|(what|how) (should|do|does|can|"
    r"would|"
    r"is|are) (you|someone|somebody|people|they|doctors|one|a person)|in general|typically|usually)\b"
)
LAUGHTER = guarded(r"\b(lol|lmao|haha\w*|rofl|jk)\b")
# Framing of a general (not personal, not acute) question about a symptom.
GENERAL_FRAMING = guarded(
    r"\b(if (someone|somebody|a person|you|people|patients?|a patient)|someone|somebody|people|a person|"
    r"in general|typically|usually|common|normal|signs of|symptoms of|what causes|difference between|"
    r"how do (they|you|doctors)|during (the )?(surgery|operation|bypass|procedure)|after (a |the )?(bypass|"
    r"surgery|operation|cabg))\b"
)


@dataclass(frozen=True)
class Finding:
    """A triage finding: why, and which normalised phrases triggered it."""

    reason: str
    matched: tuple[str, ...]


def _is_bystander(text: str) -> bool:
    """True if the message is about the operated patient or a hypothetical person, not the writer's circle."""
    if FIRST_PERSON.search(text):
        return False
    return PATIENT_CONTEXT.search(text) is not None or HYPOTHETICAL.search(text) is not None


def _finding(hit: Hit, extra: tuple[str, ...] = ()) -> Finding:
    """Turn a hit into a finding naming the cue."""
    return Finding(f"{hit.cue.reason}: '{hit.surface}'", (hit.surface, *extra))


def _weak(text: str) -> Finding | None:
    """Run the weak-signal tier and wrap its answer as a Finding."""
    found = check_weak_emergency(text)
    return Finding(found[0], found[1]) if found else None


def check_emergency(text: str) -> tuple[Finding | None, Finding | None]:
    """Return (emergency finding, non-acute symptom finding) for normalised text."""
    for cues in (SELF_HARM_CUES, OVERDOSE_CUES):
        hits = find_hits(cues, text)
        if hits:
            return _finding(hits[0]), None
    bystander = _is_bystander(text)
    if not bystander:
        hits = find_hits(ACUTE_CUES, text)
        if hits:
            return _finding(hits[0]), None
    symptoms = find_hits(SYMPTOM_CUES, text)
    if not symptoms or bystander:
        return _weak(text), None
    sym = symptoms[0]
    history = HISTORY_MARKERS.search(text)
    joking = LAUGHTER.search(text) is not None
    weak_acute = None if history or joking else WEAK_ACUTE_MARKERS.search(text)
    acute = ACUTE_MARKERS.search(text) or weak_acute
    if acute:
        return Finding(f"mentions acute {sym.cue.reason} now: '{sym.surface}' + '{acute.group(0)}'",
                       (sym.surface, acute.group(0))), None
    if history is not None:
        if FIRST_PERSON.search(text) is None:
            return _weak(text), None
        return _weak(text), Finding(f"describes own {sym.cue.reason} (history: '{history.group(0)}')",
                                    (sym.surface, history.group(0)))
    tokens = text.split()
    impersonal = SELF_REF.search(text) is None and (
        GENERAL_FRAMING.search(text) is not None or tokens[0] in INTERROGATIVES
    )
    if joking or impersonal:
        return _weak(text), None
    return Finding(f"reports {sym.cue.reason} in the present: '{sym.surface}'", (sym.surface,)), None
