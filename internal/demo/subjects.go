package demo

import "strings"

// The demo's collection is built from these lists: subjects a Hong Kong
// college teaches, each topic with the Library of Congress class a
// cataloguer would give it, so that call numbers shelve like real ones.

// topic is a subject heading and its LC class.
type topic struct{ name, class string }

// subject is a group of topics sharing title patterns.
type subject struct {
	weight int
	// patterns are extra title patterns that read well for this subject
	// (a %s for the topic), beside the general ones.
	patterns []string
	topics   []topic
}

// generalPatterns suit any topic of any subject below.
var generalPatterns = []string{
	"%s", "Introduction to %s", "An Introduction to %s", "Principles of %s", "Foundations of %s",
	"Essentials of %s", "Understanding %s", "Fundamentals of %s", "Contemporary %s",
	"%s: Theory and Practice", "%s: Concepts and Applications", "%s: A Practical Guide",
	"Readings in %s", "Case Studies in %s",
}

// regional patterns set a topic in Hong Kong or Asia.
var regional = []string{
	"%s in Hong Kong", "%s: An Asian Perspective", "%s: Cases from Hong Kong",
	"%s in the Greater Bay Area", "%s in East Asia",
}

var subjects = []subject{
	{weight: 14, patterns: []string{"%s: A Hands-on Approach", "%s: Design and Implementation", "Practical %s"}, topics: []topic{
		{"Database Systems", "QA76.9.D3"}, {"Computer Networking", "TK5105.5"}, {"Operating Systems", "QA76.77"},
		{"Software Engineering", "QA76.758"}, {"Machine Learning", "Q325.5"}, {"Artificial Intelligence", "Q335"},
		{"Data Structures and Algorithms", "QA76.9.A43"}, {"Information Security", "QA76.9.A25"},
		{"Human-Computer Interaction", "QA76.9.H85"}, {"Cloud Computing", "QA76.585"}, {"Data Mining", "QA76.9.D343"},
		{"Computer Graphics", "T385"}, {"Web Development", "TK5105.888"}, {"Mobile App Development", "QA76.76.A65"},
		{"Python Programming", "QA76.73.P98"}, {"Java Programming", "QA76.73.J38"}, {"Computer Architecture", "QA76.9.A73"},
		{"the Internet of Things", "TK5105.8857"},
	}},
	{weight: 5, patterns: []string{"%s for Engineers", "%s with Applications", "Elementary %s"}, topics: []topic{
		{"Calculus", "QA303.2"}, {"Linear Algebra", "QA184.2"}, {"Discrete Mathematics", "QA39.3"},
		{"Probability and Statistics", "QA273"}, {"Statistical Methods", "QA276"}, {"Numerical Methods", "QA297"},
		{"Engineering Mathematics", "TA330"}, {"Business Statistics", "HF1017"},
	}},
	{weight: 6, patterns: []string{"%s for Engineers", "%s: Analysis and Design", "Applied %s"}, topics: []topic{
		{"Electric Circuits", "TK454"}, {"Power Electronics", "TK7881.15"}, {"Digital Electronics", "TK7868.D5"},
		{"Signals and Systems", "TK5102.9"}, {"Control Systems", "TJ213"}, {"Microcontroller Systems", "TJ223.P76"},
		{"Renewable Energy Systems", "TJ808"}, {"Engineering Drawing", "T353"},
	}},
	{weight: 5, patterns: append([]string{"%s for Engineers"}, regional...), topics: []topic{
		{"Building Services Engineering", "TH6010"}, {"Construction Technology", "TH145"}, {"Structural Analysis", "TA645"},
		{"Fire Safety Engineering", "TH9145"}, {"Building Information Modelling", "TH438.13"},
		{"Air Conditioning and Refrigeration", "TH7687"}, {"Construction Management", "TH438"},
	}},
	{weight: 12, patterns: append([]string{"%s for Managers", "%s in the Digital Age", "Strategic Issues in %s"}, regional...), topics: []topic{
		{"Management", "HD31"}, {"Organizational Behaviour", "HD58.7"}, {"Human Resource Management", "HF5549"},
		{"Operations Management", "TS155"}, {"Strategic Management", "HD30.28"}, {"Project Management", "HD69.P75"},
		{"Supply Chain Management", "HD38.5"}, {"Entrepreneurship", "HB615"}, {"Business Ethics", "HF5387"},
		{"International Business", "HD2755.5"}, {"Logistics Management", "HD38.5"},
	}},
	{weight: 5, patterns: append([]string{"%s in the Digital Age", "%s: Creating Customer Value"}, regional...), topics: []topic{
		{"Marketing", "HF5415"}, {"Consumer Behaviour", "HF5415.32"}, {"Digital Marketing", "HF5415.1265"},
		{"Brand Management", "HD69.B7"}, {"Services Marketing", "HD9980.5"}, {"Retail Management", "HF5429"},
	}},
	{weight: 7, patterns: regional, topics: []topic{
		{"Financial Accounting", "HF5636"}, {"Management Accounting", "HF5657.4"}, {"Corporate Finance", "HG4026"},
		{"Auditing", "HF5667"}, {"Investment Analysis", "HG4529"}, {"Financial Markets and Institutions", "HG173"},
		{"Banking", "HG1601"}, {"Taxation", "HJ2305"},
	}},
	{weight: 4, patterns: regional, topics: []topic{
		{"Microeconomics", "HB172"}, {"Macroeconomics", "HB172.5"}, {"Economics", "HB171.5"},
		{"International Trade", "HF1379"}, {"Development Economics", "HD75"},
	}},
	{weight: 5, patterns: regional, topics: []topic{
		{"Hotel Management", "TX911.3.M27"}, {"Tourism", "G155.A1"}, {"Food and Beverage Management", "TX911.3.M27"},
		{"Event Management", "GT3405"}, {"Tourism Marketing", "G155.A1"}, {"Hospitality Management", "TX911.3.M27"},
	}},
	{weight: 8, patterns: append([]string{"%s: A Critical Introduction", "Perspectives on %s"}, regional...), topics: []topic{
		{"Social Work Practice", "HV40"}, {"Counselling", "BF636.6"}, {"Developmental Psychology", "BF713"},
		{"Social Psychology", "HM1033"}, {"Community Development", "HN49.C6"}, {"Sociology", "HM586"},
		{"Social Policy", "HN17.5"}, {"Early Childhood Education", "LB1139.23"}, {"Gerontology", "HQ1061"},
	}},
	{weight: 4, patterns: append([]string{"%s: Evidence-Based Practice"}, regional...), topics: []topic{
		{"Nursing Practice", "RT41"}, {"Health Promotion", "RA427.8"}, {"Mental Health Nursing", "RC440"},
		{"Public Health", "RA425"}, {"Nutrition", "QP141"},
	}},
	{weight: 4, patterns: []string{"%s: A Visual Guide", "The Language of %s", "Perspectives on %s"}, topics: []topic{
		{"Graphic Design", "NC997"}, {"Typography", "Z246"}, {"Interior Design", "NK2110"},
		{"Visual Communication", "P93.5"}, {"Photography", "TR146"}, {"Media Studies", "P90"}, {"Animation", "NC1765"},
	}},
	{weight: 4, patterns: []string{"%s for Hong Kong Students", "%s: A Course for Students", "%s Made Simple"}, topics: []topic{
		{"Academic Writing", "PE1408"}, {"English Grammar", "PE1112"}, {"Business Communication", "HF5718"},
		{"Public Speaking", "PN4129.15"}, {"Translation", "P306"},
	}},
}

// hongKongStudies are whole titles: these topics do not fit the patterns.
var hongKongStudies = []topic{
	{"Hong Kong since 1997: Society and Politics", "DS796.H757"},
	{"Harbour City: An Urban History of Victoria", "DS796.H757"},
	{"The Making of Modern Kowloon", "DS796.H757"},
	{"Tenements and Towers: Housing in Hong Kong, 1945-2000", "HD7379.H6"},
	{"Cantonese Opera and Popular Culture", "PN2876.H6"},
	{"Trading Ports of the South China Coast", "HF3838.H6"},
	{"Governing Hong Kong: Institutions and Policy", "JQ1539.5"},
	{"Law and Society in Hong Kong", "KNQ9100"},
	{"Heritage and Memory in Hong Kong", "DS796.H757"},
	{"Hong Kong Cinema and Cultural Identity", "PN1993.5.H6"},
	{"Migrants and Refugees in Postwar Hong Kong", "JV8755.5"},
	{"Religion and Festivals in South China", "BL1802"},
	{"Public Health in Colonial Hong Kong", "RA527.H6"},
	{"Language Policy in Hong Kong Schools", "P119.32.H6"},
	{"Markets and Hawkers: The Street Economy of Hong Kong", "HF5459.H6"},
	{"Walled Villages of the New Territories", "DS796.H75"},
}

// Chinese topics take any of the Chinese suffixes: 香港史導論, 管理學概論.
var (
	chineseTopics = []topic{
		{"香港史", "DS796.H757"}, {"中國近代史", "DS755"}, {"管理學", "HD31"}, {"市場學", "HF5415"},
		{"會計學", "HF5636"}, {"社會工作", "HV40"}, {"心理學", "BF121"}, {"中國文學", "PL2265"},
		{"粵語語法", "PL1736"}, {"香港經濟", "HC470.3"}, {"中文寫作", "PL1271"}, {"兒童發展", "BF721"},
		{"中國哲學", "B126"}, {"旅遊管理", "G155.C6"}, {"電子商務", "HF5548.32"}, {"建築設計", "NA2750"},
	}
	chineseSuffixes = strings.Fields("導論 概論 研究 入門 教程 十講 基礎 新論")
)

// Real, well-known works, so that a librarian browsing the demo meets a few
// titles they know.
var classics = []struct{ title, author, callNumber, location string }{
	{"香港史新編", "王賡武 主編", "DS796.H757 X53 1997", "Chinese Collection"},
	{"香港人之香港史 1841-1945", "蔡榮芳", "DS796.H757 C35 2001", "Chinese Collection"},
	{"A Modern History of Hong Kong", "Tsang, Steve", "DS796.H757 T78 2004", "Hong Kong Collection"},
	{"The Go Programming Language", "Donovan, Alan A. A.", "QA76.73.G63 D66 2016", "Main Library 3/F"},
	{"The C Programming Language (2nd ed.)", "Kernighan, Brian W.", "QA76.73.C15 K47 1988", "Main Library 3/F"},
	{"Introduction to Algorithms (3rd ed.)", "Cormen, Thomas H.", "QA76.6 .I5858 2009", "Main Library 3/F"},
}

// Authors: writers of English textbooks, Hong Kong academics, and Chinese
// authors with the pinyin of their surname for the call number's cutter.
var (
	westernSurnames = strings.Fields(`Smith Johnson Brown Taylor Miller Davies Wilson Clarke Robinson Walker
		Hughes Wright Green Hall Wood Harris Lewis Martin Jackson Thompson White Evans Roberts Turner Baker
		Carter Mitchell Phillips Campbell Parker Morgan Cooper Kumar Patel Nguyen Kim Tanaka Sato Schmidt Rossi`)
	westernGiven = strings.Fields(`Robert Sarah Michael Jennifer David Elizabeth Richard Susan Peter Margaret
		Andrew Catherine Stephen Helen Daniel Rachel Mark Anne Paul Laura John Emma`)
	chineseSurnames = []struct{ hanzi, pinyin string }{
		{"陳", "Chen"}, {"李", "Li"}, {"黃", "Huang"}, {"張", "Zhang"}, {"劉", "Liu"}, {"梁", "Liang"},
		{"林", "Lin"}, {"何", "He"}, {"吳", "Wu"}, {"鄭", "Zheng"}, {"周", "Zhou"}, {"馮", "Feng"},
		{"郭", "Guo"}, {"羅", "Luo"}, {"楊", "Yang"}, {"謝", "Xie"}, {"蔡", "Cai"}, {"潘", "Pan"},
		{"譚", "Tan"}, {"蘇", "Su"}, {"袁", "Yuan"}, {"許", "Xu"}, {"馬", "Ma"}, {"高", "Gao"}, {"葉", "Ye"},
	}
	chineseGiven = strings.Fields("志明 美玲 家豪 嘉欣 偉強 詠詩 國華 淑芬 子健 曉彤 振邦 慧儀 建華 麗珊 文傑 秀英 少芳 永康")
)
