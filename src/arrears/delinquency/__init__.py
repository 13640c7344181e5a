"""delinquency"""
