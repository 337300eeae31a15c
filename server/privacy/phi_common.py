"""Words the capitalised-name rule lets pass: capitalised in captions without naming a person or a town.

Under that rule any capitalised word inside a sentence that is not on the event's allow-list is flagged (a
false positive costs one click, a miss is a disclosure). These lists keep the clicks down: clinical and
caption vocabulary, organisations and brands that hospitals name, media words, and the words of media file
names ("IMG", "preop", "final"). Keep them to words that are never a person's name.
"""

from __future__ import annotations

from typing import Final

from server.privacy.phi_lexicon import word_set

CAPTION_WORDS: Final = word_set(
    """
    alt answer answers anesthesia anaesthesia angiogram anastomosis aorta artery atrium ventricle bypass
    cardiology cardiologist cardiothoracic catheter caption chest circumflex clamp clip closing complete
    congrats coronary echocardiogram echo ecg ekg electrocardiogram fact file follow fun graft grafts
    harvest image images incision internal intensive left right mammary monitor next nurse nurses operation
    operating perfusion perfusionist photo photos pre post preop postop procedure pump q a radial recovery
    reminder replay saphenous special sternum sternotomy stitch stitches suture surgery surgeon surgeons
    surgical team temperature thanks thank tune update updates valve vein video videos warning watch
    watching welcome hello live stream streaming broadcast webcast behind scenes fun fact did you know
    tip tips myth myths truth q&a ama note notes step steps part round day week month year morning
    evening night noon midnight minute minutes hour hours today tonight tomorrow yesterday now here there
    simulation sim lab lecture hall lounge desk family families visitors visiting visit volunteers
    volunteer staff unit ward floor wing room rooms bed beds or icu cvicu pacu er ed cath ct mri xray
    heart hearts cardiac lung lungs blood pressure oxygen machine ventilator bypass-machine
    """
)

# Organisations, media and brands that hospital captions name (never a patient).
ORGANISATIONS: Final = word_set(
    """
    youtube netflix spotify medtronic abbott edwards boston scientific siemens philips stryker zoll
    zoom teams facebook instagram tiktok twitter bluesky mastodon threads linkedin reddit google apple
    iphone ipad android microsoft windows amazon whatsapp telegram signal wikipedia who cdc nhs fda
    health canada red cross crescent cbc ctv global bbc cnn nbc abc cbs npr pbs reuters ap afp times post
    globe mail herald star gazette tribune journal lancet nejm jama bmj mayo hopkins cleveland sinai
    heart and stroke association aha esc acc sts ontario quebec medicare medicaid ohip
    """
)

# Company and product suffixes: "Edwards Lifesciences", "Acme Pharma".
COMPANY_WORDS: Final = word_set(
    """
    inc ltd llc corp corporation co company companies group holdings lifesciences life sciences pharma
    pharmaceutical pharmaceuticals therapeutics biosciences biotech biotechnology devices medical healthcare
    scientific technologies technology tech systems solutions labs laboratories diagnostics instruments
    statistics telehealth telemedicine insurance bank airlines news radio television tv magazine press
    service services agency authority commission board department ministry office network
    """
)

# Nationalities and other group words, singular and plural ("Canadians and Americans are watching").
NATIONALITIES: Final = word_set(
    """
    american americans canadian canadians mexican mexicans british brits english scottish welsh irish french
    german germans italian italians spanish spaniard spaniards portuguese dutch belgian belgians swiss austrian
    swedish swedes norwegian norwegians danish danes finnish finns polish poles ukrainian ukrainians russian
    russians greek greeks turkish turks indian indians pakistani pakistanis chinese japanese korean koreans
    filipino filipinos filipina vietnamese thai indonesian indonesians australian australians kiwi kiwis
    brazilian brazilians argentinian argentinians argentine chilean chileans colombian colombians peruvian
    peruvians venezuelan venezuelans cuban cubans jamaican jamaicans haitian haitians nigerian nigerians
    ghanaian ghanaians kenyan kenyans ethiopian ethiopians somali somalis egyptian egyptians moroccan
    moroccans algerian algerians tunisian lebanese syrian syrians iranian iranians iraqi iraqis israeli
    israelis palestinian palestinians arab arabs african africans european europeans asian asians latino
    latinos latina latinas hispanic hispanics caribbean quebecois quebecers ontarians albertans
    newfoundlanders texans californians floridians new yorkers londoners torontonians montrealers
    """
)

# Nouns after an eponym ("the Ross procedure", "Marfan syndrome"): the name is a doctor's, long dead.
EPONYM_NOUNS: Final = word_set(
    """
    procedure procedures operation technique method maneuver manoeuvre syndrome disease sign test score
    criteria classification law principle shunt valve tube catheter stitch knot repair approach incision
    position reflex effect phenomenon triad node bundle
    """
)

# Words of media file names ("IMG_2291_final.jpg") that are not names.
FILE_WORDS: Final = word_set(
    """
    img image images photo photos pic pics picture pictures dsc dscn dcim pxl mvimg vid video videos clip
    clips mov movie scan scans screenshot screen shot capture export edit edited final draft copy new old
    v1 v2 v3 hd sd hq lq raw crop cropped small large medium thumb thumbnail preview web social post story
    reel reels short shorts wide close closeup overview detail before after pre post preop postop op or
    room team surgery surgical heart cardiac model demo graft bypass chest monitor theatre theater live
    stream broadcast consent form scan record chart label wristband badge logo banner poster slide slides
    and with of the a an at in on for to from by x
    huddle walk walking day night morning first last team teams staff ward unit icu cvicu recovery rounds
    jpg jpeg png gif heic heif webp tif tiff bmp mp4 mov avi mkv webm pdf doc docx
    """
)
