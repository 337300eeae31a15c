"""Risk cues in English, French and Spanish, over `triage_text.normalize` output (lowercase ASCII, no accents,
no apostrophes: "n'arrive" is "narrive", "desmayó" is "desmayo"; the typo table maps "mama" to "mom").

Kept apart from the label rules because they answer another question: not "what is this message?" but "could
someone be in danger?". A cue here raises an alert whatever the label. Three families:
- `DANGER`: alert on their own (self-harm, overdose or poisoning, not breathing, not responding or collapsed,
  stroke signs, heavy bleeding, seizures, a device shocking);
- `SYMPTOMS`: alert when acute: an `ACUTE` marker anywhere, or told in the present by the writer about
  themselves or someone close, unless only as a habit (`HABIT`) or long past (`PAST_ONLY`);
- `FIGURES`: figures of speech and hypotheticals ("dying to see", "me muero de risa", "j'ai failli mourir
  de peur", "I'd pass out") that are removed before matching: they are not risk cues at all.
Humour ("lol", "jaja", "mdr") is not removed: it lowers the score, never the alert.
"""

from __future__ import annotations

from typing import Final

from server.triage.triage_prefilter import Guarded, guarded

SELF_HARM: Final = "self-harm or suicidal intent"
OVERDOSE: Final = "overdose or poisoning"
BREATHING: Final = "not breathing or struggling to breathe"
UNRESPONSIVE: Final = "collapsed or not responding"
STROKE: Final = "signs of a stroke"
BLEEDING: Final = "heavy bleeding or a wound opening"
SEIZURE: Final = "a seizure or a device shocking"
SYMPTOM: Final = "acute symptoms"


def _c(pattern: str) -> Guarded:
    """Compile a cue with its literal pre-check: most messages hold none of a cue's words, so it is skipped."""
    return guarded(pattern)


_PILLS = (r"(pills?|tablets?|meds|medications?|medicines?|comprimes?|cachets?|pilules?|medicaments?|somniferes?|"
          r"pastillas?|medicinas?|medicamentos?|calmantes|antidepresivos|antidepresseurs|insulin[ae]?|"
          r"paracetamol|tylenol|oxy\w*|morphine?|morfina|xanax|valium|lexomil)")
_KIN = (r"(mon|ma|mes|mi|mis|my|el|la|le|su|sus|our|his|her|nuestro|nuestra|notre)? ?(\w+ )?(pere|mere|mari|femme|"
        r"fils|fille|frere|soeur|bebe|grand ?pere|grand ?mere|oncle|tante|voisin|voisine|ami|amie|papa|dad|mom|"
        r"padre|madre|esposo|esposa|marido|hijo|hija|hermano|hermana|abuelo|abuela|tio|tia|vecino|vecina|amigo|"
        r"amiga|novio|novia|pareja)")

# (pattern, family reason, weight)
DANGER: Final[tuple[tuple[Guarded, str, float], ...]] = (
    # -- self-harm: French
    (_c(r"\b(me|te|se) (suicider|tuer|foutre en l air)\b|\bsuicid\w*|\b(envie|besoin) de (mourir|disparaitre|en "
        r"finir)\b|\bveux (mourir|en finir|disparaitre)\b|\ben finir\b|\bmettre fin a (mes|ses) jours\b|\b(plus|pas) "
        r"envie de vivre\b|\bveux plus vivre\b|\bne veux (plus|pas) vivre\b|\b(lettres?|mots?) d adieu\b|"
        r"\bdire adieu\b|\b(sauter|me jeter) (du|d un|de la|par la|sous un|sous le) (pont|toit|fenetre|immeuble|"
        r"balcon|falaise|train|metro)\b|\bme pendre\b|"
        r"\bpersonne ne (me regretterait|remarquerait|verrait)\b|\bmieux sans moi\b|\bun fardeau\b|\bme (couper|"
        r"scarifier|faire du mal)\b|\bcoupe les (bras|poignets|veines)\b|\bplus la force de (continuer|vivre)\b|"
        r"\b(aucune|plus de|pas de) raison de (continuer|vivre)\b|\bce soir c est (fini|la fin)\b"),
     SELF_HARM, 3.0),
    # -- self-harm: Spanish
    (_c(r"\b(matarme|suicidarme|quitarme la vida|morirme|desaparecer para siempre)\b|\bsuicid\w*|\bquiero "
        r"(morir|morirme|desaparecer|acabar)\b|\b(ya )?no quiero (vivir|seguir viviendo|seguir)\b|\bacabar con "
        r"(todo|mi vida)\b|\btermino con todo\b|\bnadie (me extranaria|notaria|se daria cuenta)\b|\bmejor sin mi\b|"
        r"\bsoy una carga\b|\bme (corte|corto|cortare|voy a cortar|hago dano|hice dano)\b|\bhacerme dano\b|"
        r"\bcartas? de despedida\b|\bme despido de todos\b|\bno aguanto mas\b|"
        r"\b(ganas|razon) de vivir\b|\b(tirarme|aventarme|lanzarme) (del|de un|de la|por la|al) (puente|techo|"
        r"azotea|ventana|edificio|balcon|tren|metro)\b|\bahorcarme\b|\bcolgarme\b"),
     SELF_HARM, 3.0),
    # -- self-harm: English, phrasings the label rules miss
    (_c(r"\b(take|taking|swallow|swallowing) (all|every|the rest of) (of )?my " + _PILLS
        + r"|\bswallow everything\b|\btonight (is|feels like) the night\b|\bmy last (week|day|night|stream)\b|"
        r"\bwont be around\b|\bbetter off without me\b|\b(plan|planning|going|gonna|ready|about) to jump\b|"
        r"\b(painless|easiest|quickest) way to (go|die|do it)\b|\bi want to die\b|\bwant to kill myself\b|"
        r"\blined up (on|in)\b|\bcut myself\b|\bi (have|ve got) a plan\b|\bending it\b|\bsaying (my )?goodbyes?\b|"
        r"\bwrote (my )?(goodbyes?|letters? to)\b|\bengine running\b|\btop of the (parking|car park|building)\b"),
     SELF_HARM, 3.0),
    # -- overdose / poisoning (all three languages)
    (_c(r"\bsurdose\b|\boverdos\w*|\bsobredosis\b|\b(pris|avale) (toute la boite|tous (mes|ses|les)|toutes (mes|ses|"
        r"les)|plein de|une boite)\b|\b(tome|tomo|trague|trago|se tomo|me tome) (todas|todos|un frasco|una caja|"
        r"muchas|un monton)\b|\b(javel|lejia|cloro|desatascador|deboucheur)\b|\b(avale|trago|se trago|bu|bebio|"
        r"tomo) (\w+ ){0,3}" + _PILLS + r"|\b(tome|tomo|took) (double|doble|el doble) (\w+ )?" + _PILLS
        + r"|\bdouble (dose|mon insuline)\b|\bdishwasher (liquid|pod|tablet)s?\b|\b(\w+ )?(vodka|alcohol|wine|"
        r"alcool|vino) (\w+ ){0,3}" + _PILLS + r"|" + _PILLS + r" (\w+ ){0,3}(vodka|alcohol|wine|alcool|vino)\b"),
     OVERDOSE, 3.0),
    # -- breathing
    (_c(r"\bne respire (plus|pas)\b|\brespire (mal|bizarrement|plus)\b|\bnarrive (plus|pas) a respirer\b|\bdu mal a "
        r"respirer\b|\bj etouffe\b|\betouffe\b|\bno (respira|puede respirar|puedo respirar)\b|\bme (falta|cuesta) "
        r"(el aire|respirar)\b|\brespira (mal|raro|con dificultad)\b|\bme ahogo\b|\bse (esta )?ahogando\b|\b(labios|"
        r"levres) (\w+ )?(morados|azules|bleues|bleus|violettes)\b|\b(esta|se puso) morad[oa]\b|\b(cant|cannot|can "
        r"not|couldnt) (catch|get) (my|his|her) breath\b|\bnot breathing\b|\bcant breathe\b|\bgasping\b|\bfrothy\b|"
        r"\bcant lie flat\b"),
     BREATHING, 3.0),
    # -- collapse / unresponsive
    (_c(r"\b(s est|s etait|est) (effondre|effondree|evanoui|evanouie|ecroule|ecroulee)\b|\bne (repond|reagit|se "
        r"reveille) (plus|pas)\b|\binconscien\w*|\bperdu connaissance\b|\bfait un malaise\b|\bse (desmayo|desplomo|"
        r"desvanecio)\b|\bno (responde|reacciona|despierta|se despierta)\b|\bperdio el conocimiento\b|\bse cayo y no\b|"
        r"\b(muy dormido|no abre los ojos)\b|"
        r"\b(slid|fell|collapsed) (off|on|onto|to) (the )?(couch|floor|sofa|ground)\b|"
        r"\b(isnt|not|wont) (answering|waking|responding|moving|pick(ing)? up)\b|\bpassed out\b|\bcollapsed\b|"
        r"\b(wont|doesnt|didnt|wouldnt|cant get (him|her|them) to) (respond|wake up|answer me|react)\b|"
        r"\bunresponsive\b|\beyes (are )?rolling\b"),
     UNRESPONSIVE, 3.0),
    # -- stroke
    (_c(r"\bbouche (de travers|tordue)\b|\bvisage (paralyse|qui tombe|de travers)\b|\b(cote du visage|moitie du "
        r"visage) qui tombe\b|\bnarrive (plus|pas) a parler\b|\bparle bizarrement\b|\bcara caida\b|\bboca torcida\b|"
        r"\b(se le|le) (cayo|cae) (un lado de )?la cara\b|\bno (puede|puedo) (hablar|mover el brazo)\b|\bhabla (raro|"
        r"mal|arrastrando)\b|\bface (is )?drooping\b|\bslurr\w*\b|\bwont grip\b|\bcant feel my (left|right) side\b|"
        r"\bspeech (has )?gone (funny|weird|strange)\b"),
     STROKE, 3.0),
    # -- bleeding / wound
    (_c(r"\bsaigne (beaucoup|enormement|abondamment|sans arret)\b|\bca ne s arrete pas de saigner\b|\bsangra "
        r"(mucho|muchisimo|sin parar)\b|\bno para de sangrar\b|\b(split|splitting|came|coming) (open|apart)\b|"
        r"\bsoaking through\b|\b(bleeding|oozing) (through|pus)\b|\bpus\b"),
     BLEEDING, 3.0),
    # -- seizure / device / head injury
    (_c(r"\bcrise d epilepsie\b|\bconvuls\w*|\b(defibrillateur|defibrilador) (\w+ ){0,3}(choque|choc|descargas?)\b|"
        r"\b(defibrillator|icd) (has )?(fired|shocked|went off)\b|\bshocked me\b|\bseizing\b|\b(golpeo|cogne|"
        r"hit) (\w+ ){0,2}(la cabeza|la tete|his head|her head|my head)\b|\bneck looks wrong\b|"
        r"\b(appele|llame|llamamos|called) (le |el |al |a la )?(15|112|911|999|samu|pompiers|ambulancia)\b"),
     SEIZURE, 3.0),
)

# Symptoms that alert when acute or told in the present; `WEAK_SYMPTOMS` need an acute marker or a second symptom.
SYMPTOMS: Final[tuple[Guarded, ...]] = (
    _c(r"\b(douleur|mal|oppression|pression|serre\w*) (\w+ ){0,3}(poitrine|thorax|thoracique|sternum)\b|"
       r"\bpoitrine (\w+ ){0,2}(serree|qui serre|oppressee|brule)\b|\bdouleur thoracique\b|\bbras (gauche )?"
       r"(engourdi|qui fourmille|lourd)\b|\bcoeur (\w+ ){0,2}(s emballe|bat (tres )?(vite|fort)|a 1\d\d)\b|"
       r"\bsueurs? froides?\b|\bme sens partir\b|\bje vais (m evanouir|tomber)\b"),
    _c(r"\b(dolor|presion|opresion|ardor) (\w+ ){0,3}(pecho|torax)\b|\bme duele (mucho )?el pecho\b|\bpecho "
       r"(apretado|oprimido)\b|\b(se me duerme|dormido|entumecido|hormigueo en) (\w+ ){0,2}brazo\b|\bbrazo (\w+ )?"
       r"(dormido|entumecido)\b|\bcorazon (\w+ ){0,3}(muy rapido|a mil|a 1\d\d|acelerado)\b|\bsudor frio\b|"
       r"\bme voy a desmayar\b"),
    _c(r"\b(chest|sternum|breastbone) (\w+ ){0,4}(tight|pain|hurts?|hurting|pressure|heavy|squeez\w*|crushing|"
       r"on fire|burning|bad)\b|\b(pain|pressure|tightness|elephant|weight|crushing|squeezing) (\w+ ){0,4}(chest|"
       r"sternum)\b|\b(arm|jaw|face|hand|fingers?) (\w+ ){0,3}(numb|tingl\w*|aches?|hurts?)\b|\bheart (is )?"
       r"(racing|pounding|going like|beating (so )?(fast|hard))\b|\bheart (\w+ ){0,2}(1[4-9]\d|2\d\d)\b|"
       r"\bshort of breath\b|\bvision (went )?(blurry|gone)\b|\bswollen and hot\b|\bcold sweat\b"),
)
WEAK_SYMPTOMS: Final = _c(
    r"\b(dizzy|faint|lightheaded|sweaty|sweating|clammy|nauseous|vomiting|throwing up|wheezing|fever|burning up|"
    r"mareo|mareado|mareada|nauseas|vomitando|fiebre|sudando|vertige|etourdi|nausee|vomi|fievre|transpire)\b"
)
# Said of a symptom that comes with exertion or at times ("now my chest hurts when I climb"), "now" and "is
# this" mean "these days": only `ACUTE` markers outside `WEAK_ACUTE` then make it acute.
WEAK_ACUTE: Final = _c(r"\b(now|is this|am i|help|worse|maintenant|ahora|ayuda)\b")
ACUTE: Final = _c(
    r"\b(now|right now|just now|currently|suddenly|sudden|out of nowhere|since (i woke|this morning|lunch|dinner|an "
    r"hour)|for the (last|past) \w+|(minutes?|mins?|min|hours?|hrs?) ago|(last|past) (\d+ |few |half )?(hour|"
    r"minutes?|mins?)|getting worse|worse|wont stop|help|what do (i|we) do|is this|am i|maintenant|en ce moment|"
    r"tout a coup|soudain\w*|depuis (\d+|une|quelques|ce matin|tout a l heure|une demi)|il y a (\d+|une|quelques) "
    r"(minutes?|heures?)|vient de|ca empire|aidez|au secours|ahora|ahorita|de repente|hace (\d+|media|una|un rato|"
    r"unos)|desde (hace|que)|acaba de|en este momento|va empeorando|ayuda|auxilio|que hago|que hacemos|qu est ce "
    r"qu on fait|que faire)\b"
)
HABIT: Final = _c(
    r"\b(when (i|he|she|they|we) (\w+ )?(runs?|walks?|climbs?|exercises?|lies?|goes up|gets up|works out|"
    r"does \w+)|(i|he|she|they|we) gets?|whenever|every ?time|sometimes|at times|on and off|usually|"
    r"quand je (cours|marche|monte)|parfois|de temps en temps|cuando (corro|camino|subo)|a veces|de vez en cuando)\b"
)
PAST_ONLY: Final = _c(
    r"\b(last (year|month|week)|years? ago|in (19|20)\d\d|l an dernier|l annee derniere|il y a \w+ ans|el ano "
    r"pasado|hace \w+ anos)\b"
)
GENERAL: Final = _c(
    r"\b(signs? of|symptoms? of|what does|what do|how do|why do|what causes|can you explain|if someone|if you|"
    r"the patient|patients|quels sont|c est quoi|pourquoi|comment|que se siente|cuales son|por que|como se)\b"
)
# The operated patient on the stream ("the patient isn't moving, is that the anesthesia?"): unless the writer
# also speaks of themselves or someone close, collapse, breathing and bleeding cues are about the broadcast.
ON_SCREEN: Final = _c(r"\b(the patient|the patients|le patient|la patiente|el paciente|la paciente|the heart|"
                      r"the surgeon|the surgeons)\b")
FIRST_PERSON: Final = _c(
    r"\b(i|im|ive|id|me|my|mine|myself|we|us|our|je|j|jai|moi|mon|ma|mes|nous|yo|me|mi|mis|tengo|estoy|siento|"
    r"duele)\b"
)
NEGATED_SYMPTOM: Final = _c(r"\b(no|not|never|without|dont|doesnt|didnt|havent|hasnt|isnt|arent|wasnt|nor|denies|"
                            r"sans|pas de|aucune?|sin|ningun\w*|ya no)( \w+){0,2} $")

FIGURES: Final = _c(
    r"\b(me muero (de|por) \w+( \w+)?|me mata (el|la) \w+|casi me (da|dio|muero|desmayo)( \w+){0,3}|se me (paro|"
    r"salio) el corazon|me quede sin aliento|me desmayaria|morte? de rire|mourir (de|d) (rire|peur|impatience|"
    r"envie)|je meurs (de|d) \w+|j ai failli (\w+ ){0,3}(mourir|crise cardiaque|tomber)( \w+){0,2}|jai failli "
    r"(\w+ ){0,3}(mourir|crise cardiaque|tomber)( \w+){0,2}|ca me tue|le souffle coupe|je tomberais dans les pommes|"
    r"(nearly|almost|practically) (gave me|had|died|fainted|passed out|a heart attack)( \w+){0,3}|(gave|give|giving) "
    r"me a heart attack|(i|id|i would|i d) (literally |probably |totally )?(faint|pass out|die|pass out)( \w+){0,4}|"
    r"(im|i am) (literally |so )?dead\b( lol)?|i died( a little)?( when| laughing)?|dying (laughing|of laughter)|"
    r"(i )?(literally )?(stopped|forgot to|held my) (breathing|breathe|breath)( \w+){0,4}|killing it|killed it|"
    r"(i )?(literally )?(cant|can not|cannot) breathe( \w+){0,5} (funny|hilarious|laughing|lol|lmao)|"
    r"(jokes?|puns?|commentary|comments|captions|music|playlist|suspense|wait|waiting|tension|nurse|surgeon|team|"
    r"stream|chat|you guys) (\w+ )?(is|are) killing me|"
    r"(feel|feeling|felt|get|getting|am|im) (\w+ )?(faint|dizzy|sick|queasy|woozy|lightheaded|nauseous) (just )?"
    r"(from )?(looking at|watching|seeing) (it|this|that|the \w+)|heart (melted|stopped when the heart)|"
    r"chest pains from the suspense|"
    r"(my )?(heart|pulse) (is )?(racing|pounding) (just )?(from )?(watching|seeing)( this)?|could never be a \w+)\b"
)
LAUGHTER: Final = _c(r"\b(lol|lmao|haha\w*|jaja\w*|jeje\w*|mdr|ptdr|xd|rofl)\b")
