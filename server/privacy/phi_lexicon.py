"""Word lists used by the PHI screen: staff titles, patient/kinship cues, stop words, place names."""

from __future__ import annotations

from typing import Final


def word_set(text: str) -> frozenset[str]:
    """Return the whitespace-separated words of `text` as a frozenset."""
    return frozenset(text.split())


# Titles that mark a patient or relative when followed by a surname ("Mr. Smith").
HONORIFICS: Final = word_set("mr mrs ms mx miss mister madam madame mme mlle messrs sra srta")

# Words right before a name that mark a clinician or other staff member ("Dr. Fremes", "nurse Anna").
STAFF_TITLES: Final = word_set(
    """
    dr drs doctor doctors prof professor surgeon surgeons nurse nurses rn np practitioner practitioners
    anaesthetist anesthetist anaesthetists anesthetists anaesthesiologist anesthesiologist cardiologist
    cardiologists perfusionist perfusionists resident residents fellow fellows physician physicians
    intensivist technologist technologists technician technicians tech techs therapist physiotherapist
    pharmacist chaplain photographer photographers videographer producer lead manager director coordinator
    spokesperson spokeswoman spokesman host hosts moderator moderators chief colleague colleagues teammate
    specialist midwife paramedic dietitian president ceo chair staff volunteer student intern interns
    attending consultant registrar clinician clinicians assistant scientist researcher educator instructor
    faculty sister-in-charge sonographer radiologist pathologist cardiothoracic orderly porter anchor
    reporter journalist
    """
)

# Professional suffixes after a name ("Anna Lee, RN").
CREDENTIALS: Final = word_set("md rn np phd msc frcsc frcpc facs mbbs bsn crna rrt ccp mph mba frcs dnp pa-c")

# "posted by X", "photo by X": the name is a staff member or content creator.
CREDIT_VERBS: Final = word_set(
    "posted photo photos photographed video videos filmed tweeted written shot produced edited hosted "
    "moderated presented narrated illustrated courtesy credit invented described developed pioneered "
    "discovered founded designed created led"
)

KIN_WORDS: Final = word_set(
    """
    husband wife son daughter mother mom mum mommy mama father dad daddy papa brother sister grandson
    granddaughter grandmother grandma granny nana grandfather grandpa granddad grandchild grandchildren
    aunt auntie uncle niece nephew cousin partner fiance fiancee spouse boyfriend girlfriend child children
    kids kid baby infant toddler twin twins stepson stepdaughter stepmother stepfather stepmom stepdad
    parents parent sibling siblings friend friends neighbour neighbor caregiver carer roommate boss
    coworker co-worker family relative relatives widow widower godmother godfather
    gran gramps grampa grandad nan nanna gigi mimi meemaw peepaw pops
    tia tio tita tito abuela abuelo abuelita abuelito mami papi mamie papy papie pepe meme memere pepere
    tante oncle cousine nonna nonno zia zio oma opa omi opi baba dedushka babushka bubbe bubbie zayde saba
    savta yaya papou lola lolo ammi abba nani nana-ji dadi dada amma appa halmoni harabeoji
    """
)

# Words right before a name that mark a patient or relative ("patient John", "named Maria").
PATIENT_CUES: Final = KIN_WORDS | word_set(
    "patient patients pt named name meet donor recipient survivor memory honour honor rip dear hi hello hey"
)

# Words after "<Name>'s" that make the name a patient/relative ("Kenji's wife").
POSSESSIVE_PERSON_WORDS: Final = KIN_WORDS | word_set(
    "recovery bedside condition prognosis chart wristband fundraiser"
)

# Words allowed between a cue and the name ("her beloved husband of 40 years, Robert").
FILLERS: Final = word_set(
    """
    the our my his her their your a an beloved late own young little elderly older younger eldest
    oldest youngest sweet lovely retired wonderful amazing proud new first second of years year is was
    cardiac heart surgical senior charge scrub head social media lead main attending staff team on our
    whose wonderful brave
    """
)

# Capitalised words that never start or continue a person name.
STOP_WORDS: Final = word_set(
    """
    the a an this that these those our we i you he she they it his her their my your its what when where
    why how who which whom yes no not and but or if so thanks thank please update live q today tomorrow
    tonight now here there great good fun did does do can could would should is are was were be been has
    have had just all some most many much more about after before during from in on at to for with without
    of by as up off out over under again also even still very every each any both either neither next last
    first second third then than once while until since because though although via per
    monday tuesday wednesday thursday friday saturday sunday january february march april may june july
    august september october november december jan feb mar apr jun jul aug sep sept oct nov dec
    heart surgery surgeon patient patients family hospital clinic centre center icu cvicu or er ed cardiac
    team health medical foundation institute university college care unit ward room bed floor west east
    north south street avenue road warning note reminder breaking photo video watch follow join learn read
    visit click call email text fax reply tune catch check stay get send share welcome congratulations
    happy merry christmas easter ramadan diwali hanukkah thanksgiving coronary artery arteries bypass valve
    aorta aortic mitral graft grafts vein blood pressure statin statins ecmo lvad cabg tavi tavr lima lad
    step session question questions answer answers fact did fyi btw ok okay wow yay hi hello hey dear
    canada canadian american english french spanish covid god lord jesus allah st saint mount memorial
    general children women men mens womens people everyone anyone someone nobody survival recovery
    temperature smoking version graphic content replay recap stream webinar event program programme
    guidelines guideline policy rehab day week month year hour minute morning afternoon evening night
    """
)

# Words that mark an organisation or place rather than a person when they follow capitalised words.
ORG_WORDS: Final = word_set(
    """
    hospital hospitals health healthcare clinic clinics centre center centres centers institute
    foundation university college school medical medicine heart cardiac care network system trust group
    association society council ministry department dept program programme lab labs laboratory inc ltd
    llc corp company street st avenue ave road rd boulevard blvd drive lane court way place park square
    building wing pavilion tower campus hall library museum church county city town township region
    province state airport station award awards prize lecture lectureship chair fund unit units services
    hermann sinai hopkins mayo kaiser permanente methodist baptist presbyterian mercy providence
    """
)

# Countries, states and provinces: too large to identify anyone, so they are not "addresses".
LARGE_PLACES: Final = word_set(
    """
    canada usa us america united states kingdom uk britain england scotland wales ireland australia zealand
    india pakistan china japan korea philippines vietnam mexico brazil france germany italy spain portugal
    greece poland ukraine russia nigeria ghana kenya ethiopia somalia egypt iran iraq syria lebanon israel
    turkey jamaica haiti cuba colombia peru chile argentina europe asia africa
    ontario quebec alberta manitoba saskatchewan nova scotia brunswick newfoundland labrador prince edward
    island columbia yukon nunavut northwest territories alabama alaska arizona arkansas california colorado
    connecticut delaware florida georgia hawaii idaho illinois indiana iowa kansas kentucky louisiana maine
    maryland massachusetts michigan minnesota mississippi missouri montana nebraska nevada hampshire jersey
    mexico york carolina dakota ohio oklahoma oregon pennsylvania rhode tennessee texas utah vermont
    virginia washington wisconsin wyoming new north south west east
    """
)

# Two-letter US state / Canadian province codes.
REGION_CODES: Final = word_set(
    """
    AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND
    OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC AB BC MB NB NL NS NT NU ON PE QC SK YT
    """
)
