"""A compact list of common given names across cultures, folded (lower case, no accents).

Names that are also everyday English words, months or places sit in `AMBIGUOUS_GIVEN_NAMES` and count
as names only with a context cue (a kinship word, "patient", a following surname, ...).
"""

from __future__ import annotations

from typing import Final

from server.privacy.phi_lexicon import word_set

_ENGLISH = """
aaron adam alan albert alex alexander alfred alice alison allison alyssa amanda amy andrew andy angela
anna anne annie anthony arthur ashley audrey barbara barry ben benjamin bernard beth betty beverly
billy bobby brandon brenda brent brett brian brittany brooke bruce bryan caleb carl carol carole caroline
carolyn catherine cathy cecil charles cheryl chloe chris christina christine christopher cindy claire
clive colin colleen connor craig cynthia dan daniel danielle danny darren dave david debbie deborah debra
declan denise dennis derek diana diane donald donna doris dorothy doug douglas dylan eddie edith edna
edward eileen eleanor elijah elizabeth ella ellie elliot elliott emily emma eric erin ethan ethel eugene
evan evelyn fiona frances francis fred freddie frederick freya gail gary gavin gemma geoffrey george
gerald gillian gladys glenn gloria gordon graham greg gregory gwen hannah harold harry hazel helen henry
herbert hilda howard ian imogen irene isaac isabel isabella isla jackie jacob jacqueline james jamie jane
janet janice jason jasper jeff jeffrey jennifer jenny jeremy jerry jesse jessica jill jim jimmy joan joanne
joe joel john johnny jonathan joseph joshua joyce judith judy julia julian julie justin karen kate
katherine kathleen kathryn kathy katie kayla keith kelly ken kenneth kerry kevin kimberly kirsty kristen
kristin kyle larry laura lauren lawrence leah leonard leslie levi liam linda lindsay lisa logan lois lori
lou louis louise lucas lucy luke lydia lynn madeline maggie malcolm margaret marie marilyn martha martin
mary matt matthew maureen megan melissa michael michelle mike mildred molly monica nancy natalie nathan
neil nicholas nicole nigel noah nora norman oliver olivia owen pamela patricia patrick paul pauline
peggy pete peter philip phillip phoebe poppy rachel ralph randy raymond rebecca rebekah reginald richard
rita robert roger ronald rosie roy rupert russell ruth ryan sally samantha samuel sara sarah scott sean
shane sharon sheila shirley silas simon sophia sophie stacy stanley stella stephanie stephen steve
steven stuart susan tammy teresa terry theo theodore theresa thomas tiffany tilly tim timothy tina todd
tom tommy tony tracy trevor tyler vanessa vera veronica vincent violet walter wayne wendy willie wyatt
zachary zoe ted hank brad chad kirk doreen maxine marjorie bernice agnes beatrice harriet lionel
"""

_EUROPEAN = """
adriana alejandra alejandro alberto alfonso andres antonio arturo beatriz camila carlos carmen catalina
cesar claudia consuelo daniela diego dolores eduardo elena emilio enrique esteban federico felipe
fernanda fernando francisco gabriela gonzalo guadalupe guillermo gustavo hector ignacio ines isabela
javier joaquin jorge jose josefina juan juana julio leticia lucia luis luisa manuel marco marcos maria
mariana marisol martina mateo miguel natalia oscar pablo paola pedro pilar rafael raquel raul ricardo
rocio rodrigo ruben santiago sebastian sergio sofia tatiana tomas valentina ximena yolanda joao tiago
thiago goncalo vitor giovanni giuseppe luca francesco alessandro matteo lorenzo stefano paolo giulia
chiara francesca federica elisa alessia silvia pierre jacques michel philippe francois antoine nicolas
julien mathieu olivier thierry etienne benoit amelie camille manon juliette margaux marion nathalie
sylvie isabelle sandrine celine helene genevieve josee hans klaus jurgen wolfgang stefan uwe dieter
helmut matthias lukas jonas anja birgit heike ulrike petra sabine monika katrin lena ingrid astrid greta
sigrid lars sven nils bjorn anders erik henrik ivan dmitri dmitry sergei sergey vladimir alexei alexey
nikolai mikhail andrei yuri oleg pavel boris igor anatoly viktor olga natasha svetlana irina ekaterina
anastasia yulia ludmila galina oksana piotr pawel krzysztof tomasz jakub wojciech marek agnieszka
katarzyna malgorzata magdalena zofia milan jiri petr lenka ivana dragan goran zoran jelena milica bogdan
vasile ioana andreea georgios giorgos dimitris nikos konstantinos yannis eleni katerina despina christos
siobhan niamh aoife ciaran padraig seamus eoin oisin
"""

_MIDDLE_EAST_SOUTH_ASIA = """
mohammed muhammad mohamed mohammad ahmed ahmad ali omar umar hassan hussein hussain ibrahim youssef yusuf
khalid mahmoud mustafa mostafa abdullah abdul karim kareem samir sami tariq tarek walid nabil rami fadi
ziad bilal hamza amir bashir jamal jamil nasser rashid saeed salim hadi majid hamid fatima fatemeh aisha
ayesha khadija mariam maryam zainab layla leila noor nour huda amina amira yasmin yasmine salma rania
dina lina hiba samira nadia reem farah zahra reza mehdi hossein dariush kourosh parisa shirin nasrin
mehmet emre murat ahmet burak elif zeynep ayse fatma emine avi moshe yosef yaakov shlomo eitan noa tamar
yael shira rivka chaya raj rajesh ramesh suresh mahesh ganesh dinesh rakesh mukesh amit anil sunil vijay
ajay sanjay rahul rohit arjun vikram vivek deepak pradeep sandeep manoj ashok arun kiran krishna ravi
gopal harish nikhil siddharth aditya karan varun akash ankit gurpreet harpreet manpreet jaspreet simran
navdeep amrit rajinder baljit sukhwinder priya pooja neha anjali kavita sunita anita geeta rekha meena
lakshmi divya shreya aishwarya ananya deepika nisha asha usha swati shalini radha sita parvati preeti
ritu sonia rani imran irfan asif faisal saima sana nazia farhan zubair shahid javed naveen
"""

_EAST_ASIA_AFRICA_PACIFIC = """
wei jie ming hao yong xiaoling xiaoming xiaoyu mei meiling ling hui jing ying qiang lei yan zhiwei
hiroshi takashi kenji kenta yuki haruto sota daiki akira satoshi naoko yoko keiko akiko yuko sakura aiko
emi minji jisoo jiwoo seojun minjun hyun jiyeon minjung soojin jihoon duc minh anh linh thanh huong hoa
tuan somchai siriporn malee maricel marites rizal chinedu chidi chiamaka ngozi nkechi emeka obinna
ifeoma adaeze oluwaseun olumide tunde babatunde adebayo folake funmilayo yetunde kofi kwame kwaku
akosua abena yaw kojo kwesi amani baraka juma zawadi wanjiru wambui njeri kamau otieno achieng tendai
tatenda chipo thabo sipho themba lindiwe nomvula zanele mandla tsegaye abebe tigist selam mekdes haile
desta abdi hodan ayaan fadumo mamadou ousmane moussa fatou aminata ibrahima cheikh tevita sione mele
losa semisi viliami kalani keoni leilani malia aroha tane wiremu mere hemi
"""

AMBIGUOUS_GIVEN_NAMES: Final[frozenset[str]] = word_set(
    """
    may june april august will grace hope faith joy mark bill art rose jack ray dawn summer page sunny
    victoria austin jordan florence georgia virginia chelsea paris sydney dallas charlotte madison phoenix
    lincoln cameron gene pat max holly ivy iris lily daisy heather amber crystal ruby pearl jade robin sky
    river autumn rich sue chase hunter mason drew harmony patience angel destiny miles frank earl chance
    dean don guy lance nick rob penny reed wade dusty rusty sandy cliff carter parker cooper taylor kay lee
    kim jan jun li min can ram young jin rosario said christian noel eve dale sung fang bob sam tao lan
    """
)

GIVEN_NAMES: Final[frozenset[str]] = (
    word_set(_ENGLISH + _EUROPEAN + _MIDDLE_EAST_SOUTH_ASIA + _EAST_ASIA_AFRICA_PACIFIC)
    - AMBIGUOUS_GIVEN_NAMES
)
