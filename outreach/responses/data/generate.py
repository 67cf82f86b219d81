"""Generate `replies.csv`: labelled prospect replies (SMS and email) for the local intent model.

Run `python -m outreach.responses.data.generate` to rewrite the committed file; the output is deterministic
(seeded). Each row is one reply: `id,intent,channel,group,text`. `group` names the hand-written core a reply was
varied from, so evaluation can hold out whole cores (`GroupShuffleSplit`) instead of near-duplicates of training
rows.

How replies are made: every intent has ~40-60 hand-written cores with alternatives (`[a|b|c]` picks one) and
slots (`{first}`, `{business}`, `{trade}`, `{city}`...). A core becomes an SMS (short, informal: lower case,
dropped apostrophes, `u`/`pls`/`thx`, an emoji, a typo now and then) or an email (greeting, the core, sometimes a
second sentence, a sign-off, a signature; 30 % quote the original outreach message below the reply, and that
quote contains "Reply STOP to opt out" — quoted history must never count).

Labels follow the response-analysis policy: asking how to join ("how do I sign up?") is `interested`; asking for
information before deciding (fees, coverage, legitimacy, "who is this?") is `question`; a refusal without a
revocation is `not_interested`; any revocation ("stop", "take me off your list", "don't text me again", GDPR/
CCPA objections) is `opt_out`; the wrong person/number/business is `wrong_contact`; machine-sent answers
(out of office, driving mode, ticket acknowledgements) are `auto_reply`; acknowledgements, tapbacks, noise and
messages meant for someone else are `unknown`.
"""

from __future__ import annotations

import csv
import random
import re
from pathlib import Path

SEED = 20240411
OUT = Path(__file__).with_name("replies.csv")
PER_INTENT = {"interested": 500, "question": 500, "not_interested": 480, "opt_out": 420, "wrong_contact": 400,
              "auto_reply": 400, "unknown": 360}

FIRST = ["Mike", "Dave", "Carlos", "Jose", "Tom", "Steve", "Maria", "Linda", "Kevin", "Ray", "Tony", "Luis",
         "Brian", "Jen", "Sarah", "Derek", "Ahmed", "Nguyen", "Pat", "Greg", "Angela", "Bill", "Rob", "Marcus",
         "Travis", "Hector", "Dana", "Wes", "Keisha", "Ivan"]
LAST = ["Smith", "Garcia", "Johnson", "Lee", "Brown", "Martinez", "Davis", "Lopez", "Wilson", "Nguyen", "Patel",
        "Kowalski", "O'Brien", "Hernandez", "Young", "Turner"]
BIZ_NAME = ["Apex", "Blue Ridge", "Summit", "Reliable", "Precision", "Golden State", "Lone Star", "Evergreen",
            "Cornerstone", "Northside", "Pro", "All Star", "Best Choice", "Family", "Quality", "Valley", "Rocky",
            "Coastal", "Heritage", "Elite"]
TRADES = ["plumbing", "roofing", "electrical", "HVAC", "painting", "drywall", "flooring", "concrete",
          "landscaping", "remodeling", "carpentry", "tile", "fencing", "siding", "handyman"]
BIZ_SUFFIX = ["LLC", "Inc", "& Sons", "Co", "Services", "Contractors", "Group", "Solutions"]
CITIES = ["Sacramento", "Fresno", "San Diego", "Austin", "Houston", "Dallas", "El Paso", "Seattle", "Spokane",
          "Tacoma", "Oakland", "San Antonio", "Bakersfield", "Plano", "Everett", "Riverside"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "tomorrow", "next week"]
MONTHS = ["January", "March", "April", "June", "August", "September", "October", "December"]
TIMES = ["3", "4pm", "5:30", "noon", "10am", "6", "2pm", "after lunch"]

# --- cores per intent --------------------------------------------------------------------------------------------
CORES: dict[str, list[str]] = {
    "interested": [
        "That would be great, we're trying to grow this year.",
        "Yes. What's the signup process?",
        "We're interested in residential {trade} work. Please call {day}.",
        "Looks good to me. Where do I sign?",
        "Ready when you are.",
        "I'd be glad to get more projects. Email me the details.",
        "Yes, we'd like to get on the platform.",
        "Sure, I'm open to more jobs around {city}.",
        "Let's talk. Best time is after {time}.",
        "Please enroll us.",
        "Yes I'm looking for work right now, slow season.",
        "Ok I'm in, what's the first step?",
        "Sounds like a good opportunity. Let's connect.",
        "Sure, have your rep give me a ring.",
        "We want in.",
        "I want to join. Send whatever paperwork you need.",
        "Great, set me up an account under {business}.",
        "I could use a few more jobs a month, yes.",
        "I'm definitely open to trying it.",
        "Love it. Send me the info.",
        "Yeah go ahead and add us, we cover all of {city}.",
        "Yes! How do I create my profile?",
        "Alright, let's get going. Link?",
        "Please sign up {business}, we're ready.",
        "[Yes|Yeah|Yep|Sure], [I'm|we're|I am|we are] interested.",
        "Sounds good, sign [us|me] up.",
        "How do I get started?",
        "Interested! Send me the link.",
        "Sure, send over the details.",
        "We'd love more {trade} jobs in {city}. What's the next step?",
        "Yes please, call me at {phone}.",
        "Count [me|us] in.",
        "I'm in. What do you need from me?",
        "Absolutely, we have room for a few more projects this month.",
        "Sure thing, give me a call {day} after {time}.",
        "This sounds great, I'd like to join.",
        "Let's do it.",
        "We're always looking for more work, tell me more.",
        "Yes we do {trade} and we're looking for new customers. Sign me up.",
        "Can you set up a quick call? I'd like to hear more.",
        "I'd like to create an account. Where do I register?",
        "Go ahead and send me the [signup|sign up|registration] link.",
        "Please send the onboarding info to this [email|address].",
        "Interested. Our crew has capacity starting {day}.",
        "[Yeah|Yes] that works for me.",
        "Ok, sounds interesting. Let's talk.",
        "Definitely interested, we just expanded to {city}.",
        "I've been looking for something like this. How soon can I start getting [jobs|projects]?",
        "Sign me up [please|pls|!]",
        "Yes! Been slow lately, could use the work.",
        "We would like to participate. Please send the agreement.",
        "Happy to try it out.",
        "You can call me {day} morning, I'm interested.",
        "Put me down as interested.",
        "I'm interested but tied up today, call me {day}.",
        "Please have someone reach out, we'd like to join the network.",
        "Yes, I'll take a look. Send the info.",
        "I just filled out the form, what's next?",
        "Text me the link and I'll sign up tonight.",
        "Works for me, let's set it up.",
        "Absolutely. We serve {city} and the surrounding area.",
        "ok sounds good what do I need to do",
        "I'd like more info, sounds promising.",
        "We are definitely open to it.",
        "Would love to be part of it.",
        "Sure, why not. Let's give it a shot.",
        "I'm game.",
        "Interested in hearing more. Free after {time}.",
        "Please register our company, {business}.",
        "[Yep|Yes], interested",
        "Could definitely use more [jobs|work|leads]. I'm in.",
        "Send me the application.",
        "Yes I want more customers",
        "Great timing, we need more work in {city}. Let's chat.",
        "My office manager will handle the signup, please send it to her. We're in.",
        "Heck yes. When can we start?",
    ],
    "question": [
        "What does it cost to join?",
        "Any upfront fees?",
        "Where are you guys located?",
        "Who gave you my info?",
        "Are you affiliated with the state licensing board?",
        "Is there a limit on how many jobs I can take?",
        "Can I set my own prices?",
        "Do you guarantee payment?",
        "What's your fee structure?",
        "How do homeowners find contractors on your site?",
        "Do I need general liability insurance to join?",
        "What's the difference between your basic and pro plans?",
        "Is this for residential or commercial?",
        "How many contractors are already on it in {city}?",
        "Are you a real company?",
        "What kind of commission do you charge?",
        "Do you guys offer financing to customers?",
        "Do I keep my own customers or do they belong to you?",
        "Is the app available on Android?",
        "What are the requirements to join?",
        "What's InstaBids? Never heard of it.",
        "Is there a trial period?",
        "Who are you with?",
        "Sorry, what is this about?",
        "Where'd you get this number?",
        "How'd you get my contact info?",
        "How much does it cost?",
        "Are there any fees per [lead|job]?",
        "What's the catch?",
        "Who is this?",
        "How did you get my [number|email|info]?",
        "Do you cover {city}?",
        "Is this legit?",
        "How do payments work?",
        "How fast do contractors get paid?",
        "Do you check licenses and insurance?",
        "What kind of projects [do you have|come through]?",
        "Is there a contract or can I cancel anytime?",
        "What percentage do you take?",
        "Do I need to be licensed in [California|Texas|Washington]?",
        "How many [leads|jobs] do you send per month?",
        "Are the leads shared with other contractors?",
        "What is InstaBids exactly?",
        "Do homeowners pay through your platform?",
        "Is there a monthly subscription?",
        "Can you tell me more about how the bidding works?",
        "What areas do you serve?",
        "Do you do commercial jobs or only residential?",
        "How is this different from Angi or Thumbtack?",
        "What info do you need from me and is it secure?",
        "Do I have to bid on every job?",
        "Who pays for materials?",
        "Is there a minimum job size?",
        "How do reviews work on your site?",
        "Where did you find my business?",
        "Are you a lead generation company?",
        "Is it free to join?",
        "What's the average job size around {city}?",
        "How long has InstaBids been around?",
        "Do you handle disputes with homeowners?",
        "Can my office manager use the account too?",
        "What happens if a homeowner doesn't pay?",
        "Do you require workers comp insurance?",
        "Which trades are you looking for?",
        "Do I need a website to join?",
        "Is there an app?",
        "How are disputes handled?",
        "What's your refund policy on bad leads?",
        "Are you hiring contractors or selling leads?",
        "how does it work",
        "wait what company is this",
        "Do you take a cut of the job?",
        "How do I know the projects are real?",
        "Is this a scam?",
        "What are the terms?",
        "Do you do background checks?",
        "How far out are jobs usually scheduled?",
        "Can I choose which jobs I bid on?",
    ],
    "not_interested": [
        "I doubt we'd be interested.",
        "Not really interested to be honest.",
        "We're no longer interested.",
        "Don't think we're interested, thanks.",
        "Not too interested, we're set.",
        "I'm not sure this is for us. We'll pass.",
        "Probably not, we're pretty busy.",
        "Not interested, thank you.",
        "Thanks, but we're not taking new clients.",
        "We're good, no need.",
        "No, that's not something I'd use.",
        "Honestly not interested.",
        "Nope, we're covered.",
        "Sorry, we're not a good fit for this.",
        "Not looking to sign up for anything.",
        "I'm going to decline.",
        "We don't need more leads, we need more workers lol.",
        "Maybe another time. Not now.",
        "We do our own marketing, no thanks.",
        "Appreciate the offer, but no.",
        "No we are slowing down and not bidding jobs.",
        "Thank you but I'm not interested in signing up.",
        "We have no need for this service.",
        "Nah we're good",
        "I don't think so.",
        "We're not accepting new work until next year.",
        "Thanks, we'll stick with what we have.",
        "Not for me.",
        "We won't be joining, thanks.",
        "No thanks.",
        "Not interested.",
        "We're all set, thanks.",
        "Too busy right now, maybe next year.",
        "We have more work than we can handle.",
        "We get all our work from referrals.",
        "We don't use lead services.",
        "Not at this time.",
        "No thank you, we're booked solid.",
        "Pass.",
        "Nah, I'm good.",
        "I'm retiring soon, not taking on new work.",
        "We tried these sites before and it wasn't worth it.",
        "Not for us, thanks anyway.",
        "We only do commercial work, not interested.",
        "No, we're not looking for more jobs.",
        "I don't need any help finding work.",
        "Thanks but no thanks.",
        "We're happy with our current setup.",
        "Not looking for new customers right now.",
        "Appreciate it but we'll pass.",
        "I'll pass, the fees on these apps kill us.",
        "No interest.",
        "We're a one-man shop and I'm maxed out.",
        "Sorry, not interested in another platform.",
        "Not right now. Maybe check back in the spring.",
        "No, we already use HomeAdvisor.",
        "We don't do bidding sites.",
        "Can't take on anything else this year.",
        "I'm good, thanks for thinking of us.",
        "No. Not interested in paying for leads.",
        "We're winding down the business.",
        "Declining, thanks.",
        "We'll have to say no for now.",
        "Not something we need.",
        "nope",
        "no",
        "We're fully booked through {month}, so no.",
        "Don't need it.",
        "Thanks for the offer but it's not a fit.",
        "We prefer to find our own customers.",
        "I'm not interested in working through a middleman.",
        "Hard pass.",
        "No thanks, good luck though.",
        "We don't do small residential jobs anymore.",
        "Not interested at the moment, we have a full schedule.",
        "I'd rather not, we had a bad experience with a similar service.",
    ],
    "opt_out": [
        "Please stop messaging this number.",
        "Take my email off your list.",
        "unsubscribe please",
        "Remove us. Thanks.",
        "Don't ever text me again.",
        "Stop. Not interested.",
        "Please delete my contact information from your system.",
        "I do not consent to these messages. Stop.",
        "I never signed up for this, remove me.",
        "No more texts from you please",
        "opt-out",
        "Quit sending me this stuff.",
        "STOP",
        "Stop",
        "[Stop|STOP|stop] texting me",
        "UNSUBSCRIBE",
        "Remove me from your [list|mailing list|contact list]",
        "Please take [me|us] off your list.",
        "Please don't [text|contact|message|email] me again.",
        "Leave me alone.",
        "Do not text this number.",
        "I object to the processing of my personal data.",
        "Delete my data.",
        "Do not sell my personal information.",
        "Quit",
        "Cancel",
        "End",
        "opt out",
        "Revoke",
        "STOPALL",
        "No more messages please.",
        "Stop spamming me.",
        "Lose my number.",
        "Never contact me again.",
        "I already asked to be removed.",
        "How many times do I have to say stop?",
        "[Not interested|No thanks], stop.",
        "Stop emailing me. Remove this address from your list.",
        "Unsubscribe me from these emails.",
        "I want to opt out of all communications.",
        "Please remove my number from your database.",
        "Under GDPR I request that you erase my data.",
        "Stop contacting [me|us].",
        "Take me off your texting list",
        "I withdraw my consent to be contacted.",
        "remove me",
        "Please stop sending me these messages.",
        "stop please",
        "Opt me out",
        "Do not contact me.",
        "I don't want any more texts.",
        "This is harassment. Stop.",
        "Cease and desist.",
        "Please put me on your do not call list.",
        "Per CCPA, do not sell or share my info and delete it.",
        "Stop. Who is this?",
        "Quit messaging me",
    ],
    "wrong_contact": [
        "I think you have the wrong number, this is a cell phone.",
        "Sorry, I don't own a business.",
        "There is no {first} at this number.",
        "{first} is my husband and he retired years ago.",
        "I'm a homeowner, not a contractor.",
        "This is not the right contact for {business}.",
        "That business isn't mine, you have the wrong person.",
        "{business} went out of business.",
        "Nobody here by that name.",
        "This email belongs to a different company now.",
        "Wrong number.",
        "You have the wrong person.",
        "I'm not {first}.",
        "{first} no longer works here.",
        "This is not {business}.",
        "No one by that name here.",
        "I'm not a contractor.",
        "This is a personal number, not a business.",
        "{first} passed away last year.",
        "{first} retired and sold the business.",
        "You must have the wrong email.",
        "I think you have the wrong contact, I'm a homeowner.",
        "This number belongs to me now, not {first}.",
        "Never heard of {business}.",
        "I just got this number, it used to belong to someone else.",
        "{business} closed years ago.",
        "I don't own a {trade} business.",
        "Wrong guy, sorry.",
        "You've got the wrong {first}.",
        "Not me, I work in an office.",
        "I'm just the receptionist here, {first} doesn't work with us anymore.",
        "This is my personal cell, I'm not in construction.",
        "Who? There's no {first} here.",
        "Wrong business, we're a restaurant.",
        "I'm a student, not a contractor.",
        "{first} left the company in [2021|2022|2023].",
        "I don't know who {first} is.",
        "You reached a dentist's office.",
        "Incorrect number.",
        "sorry wrong #",
        "This isn't a {trade} company.",
        "I think you meant to text someone else.",
        "There is nobody named {first} at this address.",
        "We are not {business}, you have the wrong company.",
        "{first} is no longer with the company.",
        "This is a residential line, you have the wrong contact.",
        "Not the right person, I have nothing to do with {trade}.",
        "I'm not the owner, and the owner sold the company last year.",
        "You have the wrong email address for {business}.",
    ],
    "auto_reply": [
        "Thank you for your email. I am out of the office until {date} with limited access to email.",
        "This is an automated response: we have received your message and will get back to you within "
        "[2|3|two] business days.",
        "Auto-reply: I'm on a job site today. I'll return your message this evening.",
        "I'm driving right now, I'll get back to you.",
        "Thanks for contacting {business}! Our office hours are M-F 8-5. We'll respond as soon as possible.",
        "Automatic reply: Out of Office",
        "I am currently on vacation and will return on {date}. For urgent matters contact the office at {phone}.",
        "This mailbox is not monitored. Please do not reply to this email.",
        "I'm away from my desk and will respond when I return.",
        "Sorry I missed your text, I'm with a customer. I'll call you back shortly.",
        "We received your request. A team member will contact you within 24 hours.",
        "Thanks for reaching out to {business}. We are closed for the holidays and will reopen {date}.",
        "I'm currently out of the office with no access to email. I will respond upon my return.",
        "Your message has been received. Ticket #{n}.",
        "Thank you for your inquiry! For a faster response call {phone}.",
        "I'm on vacation until {date}. If this is urgent, please call the office.",
        "Do Not Disturb: I'm driving and will see your message when I get where I'm going.",
        "I am on leave until {date} and will not be checking messages.",
        "Our office is closed today. We will return your message next business day.",
        "This is an automated message. Please do not respond.",
        "Hi, this is {first}'s automatic text reply. I'm on a roof and can't answer right now.",
        "OUT OF OFFICE: returning {date}",
        "Thanks for your email. Due to high volume, responses may take up to 48 hours.",
        "I no longer check this inbox regularly. For estimates please use the form on our website.",
        "Automated reply: thanks for your message, we'll be in touch.",
        "I'm out of the office on a job until {date}. Please text {phone} for anything urgent.",
        "Thank you for contacting {business}. This is an auto-generated reply confirming receipt of your email.",
        "[Away|Out] until {date}. Limited cell service.",
        "This is an auto response. I'm at a job site with no signal and will reply tonight.",
        "Hello! We got your message. Someone from {business} will respond within one business day.",
        "Out sick today, will reply {day}.",
        "Thank you for your message. Our team is currently assisting other customers.",
        "Please note I am travelling until {date} and will have intermittent access to email.",
        "We have received your email and a representative will respond shortly. Please do not reply.",
    ],
    "unknown": [
        "Not sure if I'm interested yet",
        "Maybe, depends",
        "Ok thanks",
        "Cool",
        "Sure thing, talk soon",
        "Not sure yet",
        "I'll let you know",
        "Checking with my boss",
        "👍",
        "😂😂",
        "Sorry, busy right now",
        "Hi {first}, running 10 min late",
        "Emphasized “Hi, this is InstaBids”",
        "Please call my office",
        "Thanks for the message",
        "I'll think it over",
        "Will get back to you",
        "Let me look into it",
        "ok",
        "k",
        "?",
        "hmm",
        "lol",
        "Happy holidays!",
        "thanks",
        "test",
        "Got it",
        "Received",
        "what",
        "??",
        "Hello?",
        "Hi",
        "This is {first}",
        "Merry Christmas to you and yours",
        "Maybe",
        "Let me think about it.",
        "Let me talk to my partner.",
        "My truck broke down again, running late",
        "Liked “Hi {first}, this is InstaBids”",
        "Loved an image",
        "[image]",
        "asdfgh",
        "Call you later babe",
        "See you at 5",
        "I'll get the invoice to you tomorrow",
        "yo",
        "...",
        "Noted.",
        "Will review.",
        "Forwarding to my partner.",
        "Thanks for the info",
        "Good morning",
        "Happy new year",
        "I'll check with {first} and let you know.",
    ],
}

# Second sentences an email may add after the core (label-preserving).
EMAIL_EXTRA: dict[str, list[str]] = {
    "interested": ["We have two crews available.", "Looking forward to it.", "My cell is {phone}.",
                   "We've been in business for {n} years.", "We're licensed and insured."],
    "question": ["Thanks in advance.", "Just want to understand before signing anything.",
                 "We've been burned by lead sites before.", "Let me know."],
    "not_interested": ["Good luck with the business.", "Thanks for understanding.", "We're set for now.",
                       "Appreciate you reaching out."],
    "opt_out": ["Thank you.", "This is the last time I'm asking.", "I never signed up for this."],
    "wrong_contact": ["Please update your records.", "Good luck finding them.", "Sorry I can't help."],
    "auto_reply": ["Thank you for your patience.", "For emergencies call {phone}.", "Have a great day."],
    "unknown": [""],
}
GREETINGS = ["Hi,", "Hello,", "Hi there,", "Good morning,", "Hey,", "Hello InstaBids,", "Hi team,", ""]
SIGNOFFS = ["Thanks,", "Regards,", "Best,", "Thank you,", "-", "Cheers,", "Sincerely,", ""]
ORIGINAL = ("Hi {first}, InstaBids connects {trade} pros in {city} with homeowners who need work done. "
            "Interested in more jobs?\nReply STOP to opt out. To unsubscribe from emails click here.")
ABBREV = [(r"\byou\b", "u"), (r"\bplease\b", "pls"), (r"\bthanks\b", "thx"), (r"\bare\b", "r"),
          (r"\bokay\b", "ok"), (r"\bto\b", "2"), (r"\bfor\b", "4")]
EMOJI = ["🙂", "👍", "🙏", "😂", "🤔", "👌", "😊"]
EMAIL_ONLY = {"auto_reply"}


def _expand(template: str, rng: random.Random, slots: dict[str, str]) -> str:
    text = re.sub(r"\[([^\[\]]*)\]", lambda m: rng.choice(m.group(1).split("|")), template)
    return text.format(**slots)


def _slots(rng: random.Random) -> dict[str, str]:
    trade = rng.choice(TRADES)
    return {
        "first": rng.choice(FIRST), "last": rng.choice(LAST), "trade": trade, "city": rng.choice(CITIES),
        "business": f"{rng.choice(BIZ_NAME)} {trade.title() if trade != 'HVAC' else 'HVAC'} {rng.choice(BIZ_SUFFIX)}",
        "day": rng.choice(DAYS), "month": rng.choice(MONTHS), "time": rng.choice(TIMES),
        "date": f"{rng.choice(MONTHS)} {rng.randint(1, 28)}", "n": str(rng.randint(2, 40)),
        "phone": f"({rng.randint(200, 989)}) {rng.randint(200, 989)}-{rng.randint(1000, 9999)}",
    }


def _typo(text: str, rng: random.Random) -> str:
    positions = [i for i in range(1, len(text) - 1) if text[i].isalpha() and text[i + 1].isalpha()]
    if not positions:
        return text
    i = rng.choice(positions)
    kind = rng.random()
    if kind < 0.5:
        return text[:i] + text[i + 1] + text[i] + text[i + 2:]
    if kind < 0.8:
        return text[:i] + text[i + 1:]
    return text[:i] + text[i] + text[i:]


def _sms(core: str, rng: random.Random, intent: str) -> str:
    text = core
    if rng.random() < 0.55:
        text = text.lower()
    if rng.random() < 0.5:
        text = text.replace("'", "")
    if rng.random() < 0.35:
        for pattern, short in rng.sample(ABBREV, 3):
            text = re.sub(pattern, short, text)
    if rng.random() < 0.4:
        text = text.rstrip(".!")
    if rng.random() < 0.12 and len(text) > 6 and intent != "opt_out":
        text = _typo(text, rng)
    if rng.random() < 0.06:
        text = text.upper()
    if rng.random() < 0.1 and intent not in ("unknown",):
        text = f"{text} {rng.choice(EMOJI)}"
    if rng.random() < 0.1:
        text = f"{rng.choice(['Hi', 'Hey', 'Hello', 'Yo'])} {text[0].lower()}{text[1:]}" if text else text
    return text


def _email(core: str, rng: random.Random, intent: str, slots: dict[str, str]) -> str:
    parts = []
    greeting = rng.choice(GREETINGS)
    if greeting and intent != "auto_reply":
        parts.append(greeting)
    body = core
    if rng.random() < 0.45:
        body = f"{body} {_expand(rng.choice(EMAIL_EXTRA[intent]), rng, slots)}".strip()
    parts.append(body)
    signoff = rng.choice(SIGNOFFS)
    signature = rng.choice([slots["first"], f"{slots['first']} {slots['last']}", slots["business"],
                            f"{slots['first']}\n{slots['business']}\n{slots['phone']}", ""])
    if intent != "auto_reply" or rng.random() < 0.5:
        parts.append("\n".join(x for x in (signoff, signature) if x))
    text = "\n\n".join(p for p in parts if p)
    if intent != "auto_reply" and rng.random() < 0.3:
        original = ORIGINAL.format(**slots)
        quoted = "\n".join(f"> {line}" for line in original.splitlines())
        when = f"{rng.choice(DAYS[:5])}, {slots['date']}, 2025 at {rng.randint(1, 12)}:{rng.randint(10, 59)} PM"
        text += rng.choice([f"\n\nOn {when}, InstaBids <outreach@instabids.example> wrote:\n{quoted}",
                            f"\n\n-----Original Message-----\nFrom: InstaBids\nSent: {when}\n\n{original}"])
    return text


def generate(seed: int = SEED) -> list[dict[str, str]]:
    rng = random.Random(seed)
    rows: list[dict[str, str]] = []
    for intent, cores in CORES.items():
        target = PER_INTENT[intent]
        seen: set[str] = set()
        per_core = -(-target // len(cores))
        for index, core in enumerate(cores):
            group = f"{intent}/{index:02d}"
            made = 0
            for _attempt in range(per_core * 6):
                if made >= per_core:
                    break
                slots = _slots(rng)
                expanded = _expand(core, rng, slots)
                email_share = 0.9 if intent in EMAIL_ONLY else 0.4
                channel = "email" if rng.random() < email_share else "sms"
                text = _email(expanded, rng, intent, slots) if channel == "email" else _sms(expanded, rng, intent)
                if text in seen:
                    continue
                seen.add(text)
                rows.append({"intent": intent, "channel": channel, "group": group, "text": text})
                made += 1
    for i, row in enumerate(rows):
        row["id"] = f"r{i:05d}"
    return rows


def write(path: Path = OUT) -> int:
    rows = generate()
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=["id", "intent", "channel", "group", "text"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)


if __name__ == "__main__":
    print(f"wrote {write()} replies to {OUT}")
