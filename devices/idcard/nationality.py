"""Nationality codes on foreigner permanent residence cards: ISO 3166-1 alpha-3, shown in Chinese as on the card.

Unknown codes are not an error (the list of states changes; the card is authentic either way): they are shown
as the bare code.
"""
from __future__ import annotations

import re

_CODE = re.compile(r"[A-Z]{3}")

NATIONALITIES: dict[str, str] = {
    # Asia
    "AFG": "阿富汗", "ARE": "阿联酋", "ARM": "亚美尼亚", "AZE": "阿塞拜疆", "BGD": "孟加拉国", "BHR": "巴林",
    "BRN": "文莱", "BTN": "不丹", "CHN": "中国", "CYP": "塞浦路斯", "GEO": "格鲁吉亚", "IDN": "印度尼西亚",
    "IND": "印度", "IRN": "伊朗", "IRQ": "伊拉克", "ISR": "以色列", "JOR": "约旦", "JPN": "日本",
    "KAZ": "哈萨克斯坦", "KGZ": "吉尔吉斯斯坦", "KHM": "柬埔寨", "KOR": "韩国", "KWT": "科威特", "LAO": "老挝",
    "LBN": "黎巴嫩", "LKA": "斯里兰卡", "MDV": "马尔代夫", "MMR": "缅甸", "MNG": "蒙古", "MYS": "马来西亚",
    "NPL": "尼泊尔", "OMN": "阿曼", "PAK": "巴基斯坦", "PHL": "菲律宾", "PRK": "朝鲜", "PSE": "巴勒斯坦",
    "QAT": "卡塔尔", "SAU": "沙特阿拉伯", "SGP": "新加坡", "SYR": "叙利亚", "THA": "泰国", "TJK": "塔吉克斯坦",
    "TKM": "土库曼斯坦", "TLS": "东帝汶", "TUR": "土耳其", "UZB": "乌兹别克斯坦", "VNM": "越南", "YEM": "也门",
    # Europe
    "ALB": "阿尔巴尼亚", "AND": "安道尔", "AUT": "奥地利", "BEL": "比利时", "BGR": "保加利亚",
    "BIH": "波斯尼亚和黑塞哥维那", "BLR": "白俄罗斯", "CHE": "瑞士", "CZE": "捷克", "DEU": "德国", "DNK": "丹麦",
    "ESP": "西班牙", "EST": "爱沙尼亚", "FIN": "芬兰", "FRA": "法国", "GBR": "英国", "GRC": "希腊",
    "HRV": "克罗地亚", "HUN": "匈牙利", "IRL": "爱尔兰", "ISL": "冰岛", "ITA": "意大利", "LIE": "列支敦士登",
    "LTU": "立陶宛", "LUX": "卢森堡", "LVA": "拉脱维亚", "MCO": "摩纳哥", "MDA": "摩尔多瓦", "MKD": "北马其顿",
    "MLT": "马耳他", "MNE": "黑山", "NLD": "荷兰", "NOR": "挪威", "POL": "波兰", "PRT": "葡萄牙",
    "ROU": "罗马尼亚", "RUS": "俄罗斯", "SMR": "圣马力诺", "SRB": "塞尔维亚", "SVK": "斯洛伐克",
    "SVN": "斯洛文尼亚", "SWE": "瑞典", "UKR": "乌克兰", "VAT": "梵蒂冈",
    # Africa
    "AGO": "安哥拉", "BDI": "布隆迪", "BEN": "贝宁", "BFA": "布基纳法索", "BWA": "博茨瓦纳", "CAF": "中非",
    "CIV": "科特迪瓦", "CMR": "喀麦隆", "COD": "刚果（金）", "COG": "刚果（布）", "COM": "科摩罗",
    "CPV": "佛得角", "DJI": "吉布提", "DZA": "阿尔及利亚", "EGY": "埃及", "ERI": "厄立特里亚",
    "ETH": "埃塞俄比亚", "GAB": "加蓬", "GHA": "加纳", "GIN": "几内亚", "GMB": "冈比亚", "GNB": "几内亚比绍",
    "GNQ": "赤道几内亚", "KEN": "肯尼亚", "LBR": "利比里亚", "LBY": "利比亚", "LSO": "莱索托", "MAR": "摩洛哥",
    "MDG": "马达加斯加", "MLI": "马里", "MOZ": "莫桑比克", "MRT": "毛里塔尼亚", "MUS": "毛里求斯",
    "MWI": "马拉维", "NAM": "纳米比亚", "NER": "尼日尔", "NGA": "尼日利亚", "RWA": "卢旺达", "SDN": "苏丹",
    "SEN": "塞内加尔", "SLE": "塞拉利昂", "SOM": "索马里", "SSD": "南苏丹", "STP": "圣多美和普林西比",
    "SWZ": "斯威士兰", "SYC": "塞舌尔", "TCD": "乍得", "TGO": "多哥", "TUN": "突尼斯", "TZA": "坦桑尼亚",
    "UGA": "乌干达", "ZAF": "南非", "ZMB": "赞比亚", "ZWE": "津巴布韦",
    # Americas
    "ARG": "阿根廷", "ATG": "安提瓜和巴布达", "BHS": "巴哈马", "BLZ": "伯利兹", "BOL": "玻利维亚", "BRA": "巴西",
    "BRB": "巴巴多斯", "CAN": "加拿大", "CHL": "智利", "COL": "哥伦比亚", "CRI": "哥斯达黎加", "CUB": "古巴",
    "DMA": "多米尼克", "DOM": "多米尼加", "ECU": "厄瓜多尔", "GRD": "格林纳达", "GTM": "危地马拉",
    "GUY": "圭亚那", "HND": "洪都拉斯", "HTI": "海地", "JAM": "牙买加", "KNA": "圣基茨和尼维斯",
    "LCA": "圣卢西亚", "MEX": "墨西哥", "NIC": "尼加拉瓜", "PAN": "巴拿马", "PER": "秘鲁", "PRY": "巴拉圭",
    "SLV": "萨尔瓦多", "SUR": "苏里南", "TTO": "特立尼达和多巴哥", "URY": "乌拉圭", "USA": "美国",
    "VCT": "圣文森特和格林纳丁斯", "VEN": "委内瑞拉",
    # Oceania
    "AUS": "澳大利亚", "FJI": "斐济", "FSM": "密克罗尼西亚联邦", "KIR": "基里巴斯", "MHL": "马绍尔群岛",
    "NRU": "瑙鲁", "NZL": "新西兰", "PLW": "帕劳", "PNG": "巴布亚新几内亚", "SLB": "所罗门群岛", "TON": "汤加",
    "TUV": "图瓦卢", "VUT": "瓦努阿图", "WSM": "萨摩亚",
    # ICAO 9303 codes for travel documents without a state
    "XXA": "无国籍", "XXX": "国籍不详",
}


def is_code(code: str) -> bool:
    return bool(_CODE.fullmatch(code))


def nationality_name(code: str) -> str:
    """Chinese short name for display; the code itself when the table does not know it."""
    return NATIONALITIES.get(code, code)
