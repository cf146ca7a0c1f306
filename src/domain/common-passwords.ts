/**
 * A built-in list of passwords and base words that attackers try first. Compared case-insensitively,
 * both as a whole and after stripping digits and symbols from the ends ("Password2024!" → "password").
 */
export const COMMON_PASSWORDS: ReadonlySet<string> = new Set(
  `
123456 123456789 12345678 1234567890 12345 1234567 qwerty password 111111 123123 abc123 iloveyou
1q2w3e4r 000000 qwerty123 zaq12wsx dragon sunshine princess letmein 654321 monkey 27653 1qaz2wsx
123321 qwertyuiop superman asdfghjkl trustno1 passw0rd password1 password12 password123 password1234
welcome welcome1 welcome123 admin admin123 administrator root toor changeme changeit default guest
login master hello hello123 football baseball basketball soccer hockey michael jennifer jordan
shadow ashley charlie thomas hunter2 hunter killer batman starwars pokemon freedom whatever
qazwsx trustme secret secret123 access access14 mustang harley ranger buster daniel andrew
jessica pepper tigger summer winter spring autumn matrix cheese computer internet google
facebook linkedin twitter microsoft apple samsung iphone android youtube minecraft fortnite
p@ssw0rd p@ssword pa$$word passwort motdepasse contraseña senha parola wachtwoord salasana
qwertyui qwerty12345 qwerty1234 asdfgh asdf1234 zxcvbnm zxcvbnm123 1qazxsw2 q1w2e3r4 q1w2e3r4t5
123qwe 123qweasd 123abc abc12345 aaaaaa aa123456 a123456 a1b2c3 a1b2c3d4 1234qwer qwer1234
11111111 00000000 12341234 123456789012 1234567890ab 987654321 9876543210 0987654321 147258369
159753 112233 121212 131313 696969 666666 777777 888888 999999 555555 222222 333333 444444
letmein123 letmein1 iloveyou1 iloveyou123 loveyou lovely love123 mylove sweetheart babygirl
football1 baseball1 superman1 batman123 monkey123 dragon123 shadow123 master123 killer123
welcome2024 welcome2025 welcome2026 summer2024 summer2025 summer2026 winter2024 winter2025
winter2026 spring2025 spring2026 autumn2025 autumn2026 password2024 password2025 password2026
company company123 companyname firstname lastname username useruser testtest test123 test1234
testing testing123 demo demo123 sample example temp temp123 temporary newpassword newpass
mypassword mypass yourpassword passpass pass1234 pass123 passwordpassword changeme123
correcthorsebatterystaple correct horse battery staple ncc1701 thx1138 opensesame abracadabra
blink182 metallica slipknot nirvana liverpool chelsea arsenal barcelona realmadrid juventus
manchester yankees cowboys steelers lakers chicago london paris berlin newyork
qwertyuiop123 1q2w3e4r5t 1q2w3e4r5t6y zaq1xsw2 zaq1zaq1 !qaz2wsx !qaz@wsx 1qaz!qaz
userops slack slackbot directory
`
    .split(/\s+/)
    .filter((w) => w.length > 0),
);
