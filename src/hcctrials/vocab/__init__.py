"""hcctrials.vocab"""
