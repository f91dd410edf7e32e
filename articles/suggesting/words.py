"""The word lists the English rules lean on: titles, words that open sentences, organisation and place words,
roles that tell a gender, and speech verbs. Plain data, so that widening a list never touches a rule (bump
builtin.SUGGESTER_VERSION when they change).
"""

# Past tenses, and present tenses that are seldom nouns ("notes", "calls", "claims" are left out).
SPEECH_VERBS = frozenset(
    """said says say saying added adds adding noted warned warns told tells explained explains argued argues
    insisted insists asked asks replied responded responds answered wrote writes stated declared declares
    announced announces claimed conceded concedes admitted admits acknowledged acknowledges recalled continued
    cautioned cautions suggested suggests joked quipped laughed shouted whispered urged urges promised predicted
    predicts observed observes remarked commented countered testified testifies posted tweeted emailed texted
    concluded concludes complained complains lamented boasted boasts maintained maintains contended contends
    stressed stresses emphasized emphasised emphasizes emphasises repeated repeats agreed agrees confirmed
    confirms denied denies demanded vowed pleaded mused sighed recounted recounts reflected described describes
    called dubbed labelled labeled branded termed shrugged smiled wondered wonders yelled screamed cried
    exclaimed reported reminded reminds assured assures advised advises informed pointed echoed interjected
    protested objected grumbled marveled marvelled reiterated reiterates snapped retorted offered teased
    cheered boomed murmured muttered scoffed""".split()
)
HONORIFICS = {"Mr.": "m", "Mr": "m", "Sir": "m", "Mrs.": "f", "Mrs": "f", "Ms.": "f", "Ms": "f", "Miss": "f"}
# Words that stand before a name as a title or description; the last one is kept as the role ("the mayor said").
TITLES = frozenset(
    """Mayor Deputy Senator Sen. Representative Rep. Governor Gov. President Vice Prime Minister Secretary
    Chancellor Premier Judge Justice Chief Fire Police Officer Detective Det. Sergeant Sgt. Inspector Insp.
    Constable Lieutenant Lt. Captain Capt. Colonel Col. General Gen. Commissioner Superintendent Supt. Principal
    Dean Professor Prof. Dr. Dr Doctor Rev. Reverend Father Pastor Bishop Rabbi Imam Coach Manager Councillor
    Councilor Councilman Councilwoman Alderman Alderwoman Assemblyman Assemblywoman Congressman Congresswoman
    Attorney District Assistant Associate Acting Interim Former Retired Veteran State Federal Finance Health
    Housing Education Foreign Interior Justice Defence Defense Transport Environment Labor Labour Economy Home
    Chairman Chairwoman Chair Director Spokesman Spokeswoman Spokesperson Sheriff Deputy Ambassador Treasurer
    Auditor Controller Comptroller Speaker Leader Lord Lady Dame Queen King Prince Princess Sister Brother
    Substitute Striker Goalkeeper Defender Midfielder Forward Winger Quarterback Pitcher Rookie Owner Founder
    Chef Farmer Teacher Nurse Lawyer Prosecutor Witness Resident Student Volunteer Saxophonist Trumpeter
    Pianist Guitarist Singer Actor Actress Director Producer Author Novelist Poet Artist Architect Engineer
    Economist Analyst Historian Scientist Researcher Epidemiologist Auctioneer Organizer Organiser Editor
    Reporter Columnist Photographer Officer Agent Trooper Ranger Warden Solicitor Barrister Magistrate Clerk
    Board Council Committee Member Party CEO CFO CTO COO""".split()
)
# Words that open a sentence or a phrase and are not names.
LEADING = frozenset(
    """The A An And But Or So Yet If When While As Asked Then Now Still For With From By Of To In On At After
    Before Since Until During Despite Although Though Because Unlike Like Among Including Instead Besides
    Meanwhile However Also Only Even Just Last Next This That These Those There Here It He She They We I You
    His Her Their Our My Its Your Some Many Most Several Other Others Both All Each Every No Not Nobody
    Everybody Everyone Somebody Someone One Two Three Four Five Six Seven Eight Nine Ten Few More Much Such
    What Who Why How Where Which Whose Whether Outside Inside Under Over About Above Below Across Around Against
    Speaking According Asked Told Says Said Monday Tuesday Wednesday Thursday Friday Saturday Sunday January
    February March April May June July August September October November December Today Yesterday Tomorrow
    Tonight Dear Please Yes Let Once Without Within Through Throughout Along Beyond Toward Towards Upon Whatever
    Officials Police Residents Critics Experts Analysts Authorities Researchers Scientists Investigators
    Prosecutors Witnesses Doctors Teachers Parents Students Organizers Organisers Neighbors Neighbours
    Supporters Opponents Democrats Republicans Officers Protesters Voters Workers Members Leaders Lawmakers
    Economists Observers Fans Players Patients Nurses Customers Users Families People Children Locals Sources
    Tenants Farmers Commuters Shoppers Drivers Passengers Staff Employees Volunteers""".split()
)
ORGANISATION_WORDS = frozenset(
    """Council Office Department Ministry Agency Company Co Co. Inc Inc. Corp Corp. Corporation Ltd Ltd. LLC
    Group Bank Board Authority Commission Committee University College School Academy Institute Foundation
    Association Union Party Court Police Service Services Hospital Hospitals Center Centre Club Society Trust
    Fund Network Research Capital Partners Energy Systems Technologies Labs Media News Times Gazette
    Tribune Courier Ledger Herald Journal Radio TV Television Press Bureau Administration Government Parliament
    Senate Congress Assembly Lines Airlines Airways Railway Railways Rovers City United FC Force Army Navy
    Museum Library Festival Reports Review Magazine Brands Holdings Industries Motors Pharma
    Health Insurance Airport Station Olympics Cup League Federation Institute Observatory Lab Laboratory
    Ministry Cabinet Republic Kingdom States Nations Council Commission Office Sheriff’s Sheriff's
    Department Agency Program Programme Project Mission Team""".split()
)
PLACE_WORDS = frozenset(
    """Street St. Road Avenue Ave. Boulevard Lane Drive Close Square River Lake Creek Island Valley Mountain
    Heights Plains Springs Beach Coast Harbor Harbour Forest Canyon Place Terrace Gardens Estate Quarter
    District Province Region Sea Ocean Gulf Underpass Highway Motorway Airport Station""".split()
)
PLACE_FIRST_WORDS = frozenset("River Lake Mount Mt. Port Fort Cape Isle Gulf Bay Lake Loch Glen".split())
FEMALE_ROLES = frozenset(
    """daughter sister mother wife widow grandmother granddaughter aunt niece spokeswoman chairwoman
    councilwoman congresswoman assemblywoman actress queen princess girl woman lady businesswoman""".split()
)
MALE_ROLES = frozenset(
    """son brother father husband widower grandfather grandson uncle nephew spokesman chairman councilman
    congressman assemblyman actor king prince boy man businessman""".split()
)
NAMES_ENDING_LIKE_ROLES = frozenset(
    """Peter Walter Jennifer Christopher Oliver Esther Heather Amber Victor Hector Taylor Connor Trevor Igor
    Brent Vincent Kent Grant Jasper Alexander Roger Homer Luther Lester Chester Dexter Foster Parker Tucker
    Hunter Carter Spencer Tanner Baxter Xavier Javier Skyler Tyler Eleanor Heather Jennifer Schuyler Ernest
    Christian Julian Adrian Sebastian Damian Vivian Lillian Gillian Brian Ian Fabian Florian Dorian""".split()
)
