"""Word lists: speech verbs, titles, pronouns and words that are capitalized without being names."""
from __future__ import annotations


def word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())

_SPEECH_VERB_FORMS = """
say says said saying | tell tells told telling | add adds added adding | write writes wrote writing written
argue argues argued arguing | explain explains explained explaining | note notes noted noting
insist insists insisted insisting | claim claims claimed claiming | declare declares declared declaring
state states stated stating | announce announces announced announcing | warn warns warned warning
respond responds responded responding | reply replies replied replying | ask asks asked asking
answer answers answered answering | tweet tweets tweeted tweeting | post posts posted posting
recall recalls recalled recalling | remark remarks remarked remarking | acknowledge acknowledges acknowledged
acknowledging | admit admits admitted admitting | concede concedes conceded conceding
contend contends contended contending | assert asserts asserted asserting | suggest suggests suggested
suggesting | observe observes observed observing | comment comments commented commenting
quip quips quipped quipping | joke jokes joked joking | shout shouts shouted shouting | yell yells yelled
yelling | scream screams screamed screaming | exclaim exclaims exclaimed exclaiming | chant chants chanted
chanting | complain complains complained complaining | boast boasts boasted boasting | brag brags bragged
bragging | predict predicts predicted predicting | promise promises promised promising | vow vows vowed
vowing | pledge pledges pledged pledging | urge urges urged urging | describe describes described describing
characterize characterizes characterized characterizing | dub dubs dubbed dubbing | label labels labeled
labelled labeling | brand brands branded branding | call calls called calling | mock mocks mocked mocking
praise praises praised praising | criticize criticizes criticized criticizing | accuse accuses accused
accusing | blast blasts blasted blasting | slam slams slammed slamming | charge charges charged charging
allege alleges alleged alleging | conclude concludes concluded concluding | testify testifies testified
testifying | report reports reported reporting | reveal reveals revealed revealing | whisper whispers
whispered whispering | counter counters countered countering | retort retorts retorted retorting
emphasize emphasizes emphasized emphasizing | stress stresses stressed stressing | maintain maintains
maintained maintaining | confirm confirms confirmed confirming | deny denies denied denying | demand demands
demanded demanding | plead pleads pleaded pleading | lament laments lamented lamenting | muse muses mused
musing | wonder wonders wondered wondering | caution cautions cautioned cautioning | repeat repeats repeated
repeating | reiterate reiterates reiterated reiterating | proclaim proclaims proclaimed proclaiming
continue continues continued continuing | begin begins began beginning | recount recounts recounted
recounting | interject interjects interjected interjecting | grumble grumbles grumbled | snap snaps snapped
sneer sneers sneered | scoff scoffs scoffed | laugh laughs laughed | cry cries cried | read reads
| text texts texted | email emails emailed | message messaged | thunder thundered | gush gushed
| rave raved | muse mused | sigh sighed | pronounce pronounced | opine opines opined | echo echoed
| agree agrees agreed | disagree disagreed | point pointed | put puts | go goes went | chime chimed | speak speaks spoke
| mention mentions mentioned | assure assures assured | advise advises advised | announce
| acknowledge | decry decries decried | deride derides derided | dismiss dismisses dismissed
| tout touts touted | hail hails hailed | condemn condemns condemned | denounce denounces denounced
| attack attacks attacked | rip rips ripped | lash lashed | question questions questioned | challenge challenged
| insist | implore implored | scold scolded | rebut rebutted | elaborate elaborated | clarify clarified
| summarize summarized | sum summed | offer offered | propose proposed | recommend recommended | plea
| fire fires fired | shoot shoots shot | hit hits | told | wrote | declare | find finds found | concur concurred | quote quoted | cite cites cited | headline headlined
"""
SPEECH_VERBS = word_set(_SPEECH_VERB_FORMS.replace("|", " "))

# Verbs whose object may be a fragment in a paraphrase: called it a "disaster".
FRAGMENT_VERBS = SPEECH_VERBS | word_set(
    "describe described describes calling call called dubbed termed term terms labeled branded "
    "referred refers refer referring promising vowing warning"
)

# Verbs that need a particle to mean speech ("pointed out", "went on", "put it").
PARTICLE_VERBS = {"point": "out", "pointed": "out", "go": "on", "went": "on", "goes": "on", "chime": "in",
                  "chimed": "in", "sum": "up", "summed": "up", "lash": "out", "lashed": "out",
                  "put": "it", "puts": "it", "fire": "back", "fires": "back", "fired": "back", "shoot": "back",
                  "shoots": "back", "shot": "back", "hit": "back", "hits": "back", "speak": "", "spoke": "",
                  "find": "that", "finds": "that", "found": "that"}  # `the poll found that “…”`

PERSON_PRONOUNS = word_set("he she they i we")
SINGULAR_PRONOUNS = {"he": "m", "she": "f"}

AUXILIARIES_AND_ADVERBS = word_set("""
has have had was were is are would will could should might may must can did does do also then
later again further still previously recently once only just never not even both too already
ultimately finally reportedly quickly simply repeatedly often frequently earlier afterward afterwards
now soon immediately flatly bluntly quietly angrily proudly sharply publicly privately openly
similarly likewise separately subsequently initially originally jokingly sarcastically
""")

CLAUSE_BOUNDARIES = word_set("""
that and but or when while as because since after before if although though where which so than
whether until unless who whom whose what how why
""")

DETERMINERS = word_set("""
the a an his her their its our my your this that these those one another two three four five
several many some other both each every any no
""")

TITLES = word_set("""
mr mr. mrs mrs. ms ms. miss dr dr. sen sen. senator rep rep. representative gov gov. governor
president vice secretary minister prime chancellor ambassador judge justice mayor general gen gen.
gen adm adm. admiral col col. lt lt. sgt sgt. capt capt. captain commander chief chairman chairwoman
chair speaker leader majority minority whip attorney adviser advisor spokesman spokeswoman
spokesperson press director ceo founder co-founder pope king queen prince princess rev rev. reverend
father sister brother sheriff officer detective professor prof prof. dean former then-president
state foreign defense treasury national security deputy assistant acting senior top u.s. us
democratic republican gop democrat candidate nominee front-runner frontrunner presidential
councilor councillor commissioner lawmaker congressman congresswoman congressional house senate
executive economic white mrs. sir lord lady dame of the
""")

# Capitalized words that start sentences or name things but are not people.
NOT_NAME_WORDS = word_set("""
the a an and but or nor so yet for in on at by to from with without of as if when while after before
during since until although though because however meanwhile moreover instead still also then now
today yesterday tonight tomorrow this that these those there here it its he she they we i you his her
their our my your him them us me who what which where why how some many most more all any each every
no not one two three first last next earlier later prior according despite under over about asked
monday tuesday wednesday thursday friday saturday sunday january february march april may june july
august september october november december mr mrs ms dr sen rep gov yes oh well even just only
in-person both neither either such said says say says told added even update updated editor's note
amid among amongst across outside inside within toward towards beyond behind beneath throughout upon
via per given including following regarding unlike near against around along beside besides except
maybe perhaps
""") | word_set(  # abbreviated months ("Dec. 8"); bare "Jan", "Mar" and "Jun" are also given names
    "jan. feb feb. mar. apr apr. jun. jul jul. aug aug. sep sep. sept sept. oct oct. nov nov. dec dec."
)


ROLE_NOUNS = word_set("""
secretary senator president governor minister chancellor ambassador mayor candidate nominee
congressman congresswoman representative diplomat leader chairman chairwoman speaker judge justice
general spokesman spokeswoman spokesperson official adviser advisor businessman businesswoman
billionaire mogul frontrunner front-runner director commissioner lawmaker premier chief executive
envoy aide host anchor pundit
""")

# Lowercase words that may sit inside a name phrase: "campaign manager Robby Mook".
NAME_MODIFIERS = TITLES | ROLE_NOUNS | word_set("""
member manager chairman strategist pollster analyst economist historian author writer columnist
reporter correspondent editor anchor host commentator activist organizer supporter voter resident
owner founder executive ceo president vice chief head lawyer attorney professor student pastor
bishop rabbi imam priest expert consultant operative fellow researcher scholar freeholder councilman
councilwoman delegate superdelegate chair co-chair campaign press communications policy political
deputy senior former longtime retired current then incoming outgoing fellow party state county city
district federal foreign national republican democratic conservative liberal progressive independent
presidential vice-presidential gubernatorial congressional legislative white house lead top
""")

# Common irregular past tenses: where a subject noun phrase stops.
IRREGULAR_PAST = word_set("""
sought made took gave went came got put held kept left met ran saw said told wrote spoke thought
felt brought began won lost led stood sent spent paid became knew found heard let set shot struck
threw drew fought hit cut rose sold built bought caught taught understood meant did had was were
""")

# Speech verbs that are as often nouns ("an email", "the reports"): verbs only after a subject.
NOUN_LIKE_VERBS = word_set("""
email emails text texts post posts message report reports call calls comment comments quote quotes
tweet tweets answer answers question questions attack attacks charge charges claim claims note notes
remark remarks promise promises demand demands state states read reads warning warnings offer offers
put go point echo cry cries laugh laughs joke jokes praise counter counters label labels brand brands
headline cite plea reply replies response statement rip rips blast blasts slam slams muse snap sigh
rave thunder hail tout touts deny stress stresses insist pledge pledges vow vows urge urges
promise continue continues begin speak mention mentions challenge challenges offer repeat
""")

# Nouns of time: "this week" is never a speaker.
TIME_NOUNS = word_set("""
week weeks month months year years day days morning afternoon evening night time times weekend
today tonight moment decade century hour hours minute minutes season spring summer fall winter
""")


# Common English given names and the gender they usually signal (a fallback for he/she agreement when
# the article itself gives no evidence: no Mr./Mrs. title and no pronoun votes).
MALE_FIRST_NAMES = word_set("""
aaron adam alan albert alex alexander alfred allen andrew andy angelo anthony antonio arnold arthur
austin barry ben benjamin bernard bernie bill billy bob bobby brad bradley brandon brent brett brian
bruce bryan carl carlos chad charles charlie chris christian christopher chuck clarence clark clint
cory craig curtis dale dan daniel danny darrell dave david dean dennis derek dick don donald doug
douglas duncan dwight earl ed eddie edward eli elijah elliott eric ernest eugene evan frank franklin
fred frederick gabriel gary gene george gerald glenn gordon graham grant greg gregory hank harold
harry harvey henry herbert herman howard hugh ian isaac jack jacob jake james jamie jared jason jay
jeff jeffrey jeremy jerome jerry jesse jim jimmy joe joel john johnny jon jonathan jorge jose joseph
josh joshua juan julian justin karl keith ken kenneth kevin kurt kyle larry lawrence lee leon
leonard lindsey lou louis luis luke marc marco mark martin marty matt matthew max michael mike mitch
mitchell nathan neil nicholas nick noah norman oliver oscar patrick paul pete peter phil philip
ralph randy ray raymond ricardo rich richard rick rob robert roberto rod rodney roger roland ron
ronald ross roy rudy russell ryan sam samuel scott sean seth stan stanley stephen steve steven
stuart ted terry thomas tim timothy todd tom tommy tony travis troy tyler vernon victor vincent wade
walter warren wayne wesley will william willie zach zachary
abdul abe abraham ahmed al alberto alejandro alexis alfonso ali alvin ambrose amos anders andre andres
angus ari armando arnie barney barrett barack bart ben benny bernardo bert bill billy blake bo boris
boyd brady brendan brent brock bruno burt byron caleb calvin cameron carlton cecil cedric
cesar chet clayton cliff clifford clyde colin conrad cornelius corey cyrus damian
damon dante darius darren dave deval dewey dick dirk dmitri dominic donnie doyle duane dustin
dylan earl eduardo edgar edmund edwin elias elmer elliot elton emanuel emmanuel enrique erik ernesto ethan
everett ezra felipe felix fernando floyd forrest francis francisco francois franz fritz gavin geoffrey
gerard gerhard gilbert giovanni glen hamid hans harlan hassan hector helmut
horace hubert hugo humberto ira irving ivan jacques jaime jake jasper javier jeb jens jeremiah jerold
jesus jim joaquin jock joey johan jonah jose josef juan jules julius kareem keenan kelvin
kendrick kent kenny kirk klaus kris lance lars laurence leroy lester lionel
lloyd lorenzo lucas luther lyle malcolm manuel marcel marcus mario marvin
mateo maurice maxwell mel melvin merrick micah miguel miles milo milton mitt mohamed mohammad mohammed
moises morris moshe muhammad myron nate nathaniel newt nigel nils norbert
omar orlando orrin otto pablo pedro percy pierre quentin rafael raj ralph ramon
randall randolph raphael raul reggie reginald reince reza rhett ricky riley rob robby rocco
rodrigo rogelio rolf roman ronnie rory rowan ruben rudolph rupert russ rusty salvador sanjay
santiago saul sebastian sergei sergio seymour shane shawn sheldon sidney silvio simon
spiro stefan stewart sven sylvester tad teddy terrence thad thaddeus theo theodore
thurgood tobias toby tod trent trevor tristan ulysses uri vaughn vern vic vince vladimir walt
wendell wilbur wilfred willard winston wolfgang xavier yusuf zachariah zeke
""")
FEMALE_FIRST_NAMES = word_set("""
abby abigail alice alicia allison amanda amy andrea angela angelina ann anna anne annie barbara
becky beth betsy betty beverly bonnie brenda brittany camille carla carol caroline carolyn catherine
cathy charlotte cheryl christina christine cindy claire connie cynthia dana daniela danielle debbie
deborah debra denise diana diane donna doris dorothy elaine eleanor elizabeth ellen emily emma erica
erin eva evelyn faith florence frances gabrielle gail gina gloria grace hannah heather heidi helen
hillary holly hope irene jackie jacqueline jan jane janet janice jean jeanne jennifer jenny jessica
jill joan joanna jodi joni josephine joy joyce judith judy julia julie karen kate katherine kathleen
kathryn kathy katie kay kelly kim kimberly kirsten kristen laura lauren leslie lillian linda lisa
loretta lori louise lucy lynn madeleine maggie marcia margaret maria marie marilyn marsha martha
mary maureen megan melissa mia michele michelle nancy natalie nicole nikki nina nora olivia pam
pamela patricia patty paula peggy penny rachel rebecca renee rita roberta robin rosa rose ruth sally
samantha sandra sara sarah sharon sheila shirley sophia sophie stephanie sue susan suzanne tammy
tara teresa theresa tiffany tina tracy valerie vanessa victoria virginia wanda wendy whitney
adele adrienne agnes aileen aisha alexandra alexandria alicia alison alma amber amelia ana angelica
angie anita annette antoinette arlene ashley audrey ava barb bernadette bernice beatrice bella
bernadette blanche bridget brooke candace candice carmen carrie cassandra cecilia celeste
celia chelsea cheri cheryl chloe christa christie ciara clara clarissa claudia colleen constance
corinne courtney crystal daisy darlene dawn deanna debby deirdre delia della diana dianne dolores
dora edith edna eileen elaina elena elisa elise eliza ella elsa elsie emilia esther estelle ethel
eugenia eunice fatima felicia fiona flora francesca freda geraldine gertrude gillian ginger
giselle gretchen gwen gwendolyn harriet hazel hilary hilda ida imelda ina ingrid iris isabel
isabella isabelle ivanka jeanette jeanine jeannie jenna jennie jocelyn jolene josefina joanne juanita
judi julianne juliet justine kamala karin katharine katrina kayla kellyanne keri kristin
kristina krystal latoya laurie leah leila lena leticia lila liliana lillian liz liza lois lorena
lorraine lorna lourdes lucia lucille luisa lydia mabel madeline mae mallory marcy margarita
margo marguerite mariah marian marianne maribel marion marisa marjorie marla marlene maxine meg melanie
melania melinda mercedes meredith mildred millie miranda miriam misty molly monica muriel myra nadia
naomi natasha nell nellie noelle norma odette olga paige pauline phyllis priscilla rachael ramona
raquel regina rhonda rosalind rosalyn rosemary roxanne sabrina sadie selena serena shannon shari
shelley sherri sheryl silvia simone sonia sonya stacey stacy stella susanna susie suzy sybil sylvia
tamara tammie tanya tatiana thelma tonya trisha ursula vera veronica vicki vickie viola violet
vivian wilma yolanda yvette yvonne zoe
""")

# Places that are often a sentence's subject ("Florida votes next"): never a lone surname.
PLACE_NAMES = word_set("""
alabama alaska arizona arkansas california colorado connecticut delaware florida georgia hawaii
idaho illinois indiana iowa kansas kentucky louisiana maine maryland massachusetts michigan
minnesota mississippi missouri montana nebraska nevada hampshire jersey mexico york carolina dakota
ohio oklahoma oregon pennsylvania rhode tennessee texas utah vermont virginia washington wisconsin
wyoming america britain england france germany russia china japan india israel iran iraq syria
turkey canada cuba europe asia africa london paris moscow beijing berlin brussels tehran baghdad
chicago boston atlanta miami philadelphia cleveland detroit denver dallas houston seattle
ukraine korea egypt libya mexico afghanistan pakistan
""")

# Heads of descriptions that can say things: persons by role or trade, bodies that speak for
# people, and documents that state something ("the ad claims", "the council condemned").
SPEAKER_NOUNS = ROLE_NOUNS | word_set("""
strategist pollster analyst analysts economist historian author writer columnist reporter correspondent
editor commentator activist activists organizer supporters voters residents lawyer lawyers attorney
attorneys professor expert experts researcher researchers scholar journalist officials aides advisers
critics protesters demonstrators senators lawmakers leaders
committee council board agency campaign administration department court commission coalition union
association organization foundation party group network newspaper paper magazine station service
ad ads report statement letter memo cable email poll survey study release website video narrator results
""")
