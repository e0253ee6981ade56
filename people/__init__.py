"""People and accounts: employees' 入职, 调岗 and 离职 (the models stay in ``positions``),
the 花名册
import, 我的职位, login accounts and the demo accounts.
"""
